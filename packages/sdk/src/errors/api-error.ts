import type { ErrorCode, Problem, ValidationIssue } from "@controlroom/contract";
import { ControlRoomError } from "./control-room-error.js";

interface ApiErrorInit {
  status: number;
  code: ErrorCode;
  message: string;
  requestId: string | undefined;
  problem: Problem | undefined;
  retryAfterMs: number | undefined;
}

/**
 * The server answered with an error status. `status`, `code` and `problem` (the RFC
 * 9457 body) come from the response; subclasses name each contract code so callers
 * can `catch` by class.
 *
 * @example
 * ```ts
 * try { await client.leases.heartbeat(runId, { lease_token }); }
 * catch (error) { if (error instanceof LeaseLostError) stopWork(); }
 * ```
 */
export class ApiError extends ControlRoomError {
  override name = "ApiError";
  override readonly code: ErrorCode;
  readonly status: number;
  readonly problem: Problem | undefined;
  /** The server's `Retry-After`, in milliseconds, when it sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(init: ApiErrorInit) {
    super(init.code, init.message, { requestId: init.requestId });
    this.code = init.code;
    this.status = init.status;
    this.problem = init.problem;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** 400 `validation_failed`: `issues` says what and where. */
export class ValidationError extends ApiError {
  override name = "ValidationError";
  /** The offending paths and why, as the server listed them. */
  get issues(): ValidationIssue[] {
    return this.problem?.errors ?? [];
  }
}
/** 401 `unauthorized`: no token, or a bad or expired one. */
export class UnauthorizedError extends ApiError {
  override name = "UnauthorizedError";
}
/** 403 `forbidden`: the token's role may not do this. */
export class ForbiddenError extends ApiError {
  override name = "ForbiddenError";
}
/** 404 `not_found`: no such run or artifact, or one the caller cannot see. */
export class NotFoundError extends ApiError {
  override name = "NotFoundError";
}
/** 409 `lease_lost`: the lease expired or was replaced; stop the phase, do not complete it. */
export class LeaseLostError extends ApiError {
  override name = "LeaseLostError";
}
/** 409 `idempotency_conflict`: the key was used before with another body. */
export class IdempotencyConflictError extends ApiError {
  override name = "IdempotencyConflictError";
}
/** 409 `conflict`: the request contradicts what the server has (e.g. same sha, other size). */
export class ConflictError extends ApiError {
  override name = "ConflictError";
}
/** 413 `payload_too_large`. */
export class PayloadTooLargeError extends ApiError {
  override name = "PayloadTooLargeError";
}
/** 429 `rate_limited`: retried automatically, honouring `Retry-After`. */
export class RateLimitedError extends ApiError {
  override name = "RateLimitedError";
}
/** 503 `unavailable`: the server sheds load; retried automatically, honouring `Retry-After`. */
export class UnavailableError extends ApiError {
  override name = "UnavailableError";
}
/** 500 `internal`. */
export class InternalServerError extends ApiError {
  override name = "InternalServerError";
}

const BY_CODE: Record<ErrorCode, new (init: ApiErrorInit) => ApiError> = {
  validation_failed: ValidationError,
  unauthorized: UnauthorizedError,
  forbidden: ForbiddenError,
  not_found: NotFoundError,
  lease_lost: LeaseLostError,
  idempotency_conflict: IdempotencyConflictError,
  conflict: ConflictError,
  payload_too_large: PayloadTooLargeError,
  rate_limited: RateLimitedError,
  unavailable: UnavailableError,
  internal: InternalServerError,
};

/** Builds the subclass that matches `init.code`. */
export function createApiError(init: ApiErrorInit): ApiError {
  return new BY_CODE[init.code](init);
}
