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

/**
 * 400 `validation_failed`: the request broke the contract; `issues` says what and where.
 *
 * @example
 * ```ts
 * catch (error) { if (error instanceof ValidationError) for (const i of error.issues) console.error(i.path, i.message); }
 * ```
 */
export class ValidationError extends ApiError {
  override name = "ValidationError";
  /** The offending paths and why, as the server listed them. */
  get issues(): ValidationIssue[] {
    return this.problem?.errors ?? [];
  }
}
/**
 * 401 `unauthorized`: no token, or a bad or expired one. Not retried.
 *
 * @example
 * ```ts
 * catch (error) { if (error instanceof UnauthorizedError) console.error("check CONTROLROOM_TOKEN"); }
 * ```
 */
export class UnauthorizedError extends ApiError {
  override name = "UnauthorizedError";
}
/**
 * 403 `forbidden`: the token's role may not do this (a viewer creating a run, say).
 *
 * @example
 * ```ts
 * catch (error) { if (error instanceof ForbiddenError) console.error("needs the operator role"); }
 * ```
 */
export class ForbiddenError extends ApiError {
  override name = "ForbiddenError";
}
/**
 * 404 `not_found`: no such run or artifact, or one the caller's tenant cannot see.
 *
 * @example
 * ```ts
 * const run = await client.runs.get(runId).catch((e) => (e instanceof NotFoundError ? null : Promise.reject(e)));
 * ```
 */
export class NotFoundError extends ApiError {
  override name = "NotFoundError";
}
/**
 * 409 `lease_lost`: the lease expired or another attempt owns the phase now. Stop the
 * phase's work; do not complete it. Never retried.
 *
 * @example
 * ```ts
 * catch (error) { if (error instanceof LeaseLostError) controller.abort(error); }
 * ```
 */
export class LeaseLostError extends ApiError {
  override name = "LeaseLostError";
}
/**
 * 409 `idempotency_conflict`: the `Idempotency-Key` was used before with another body.
 *
 * @example
 * ```ts
 * catch (error) { if (error instanceof IdempotencyConflictError) console.error("reused key", error.requestId); }
 * ```
 */
export class IdempotencyConflictError extends ApiError {
  override name = "IdempotencyConflictError";
}
/**
 * 409 `conflict`: the request contradicts what the server has (an artifact's sha
 * registered with another size, say).
 *
 * @example
 * ```ts
 * catch (error) { if (error instanceof ConflictError) console.error(error.problem?.detail); }
 * ```
 */
export class ConflictError extends ApiError {
  override name = "ConflictError";
}
/**
 * 413 `payload_too_large`: too many events in one append, or a body past the limit.
 *
 * @example
 * ```ts
 * catch (error) { if (error instanceof PayloadTooLargeError) console.error("send smaller batches"); }
 * ```
 */
export class PayloadTooLargeError extends ApiError {
  override name = "PayloadTooLargeError";
}
/**
 * 429 `rate_limited`: retried automatically, honouring `Retry-After`; thrown when the
 * retries or the time budget are spent.
 *
 * @example
 * ```ts
 * catch (error) { if (error instanceof RateLimitedError) await sleep(error.retryAfterMs ?? 1_000); }
 * ```
 */
export class RateLimitedError extends ApiError {
  override name = "RateLimitedError";
}
/**
 * 503 `unavailable`: the server sheds load; retried automatically, honouring
 * `Retry-After`; thrown when the retries or the time budget are spent.
 *
 * @example
 * ```ts
 * catch (error) { if (error instanceof UnavailableError) console.error("busy, retry after", error.retryAfterMs); }
 * ```
 */
export class UnavailableError extends ApiError {
  override name = "UnavailableError";
}
/**
 * 500 `internal` (and any other 5xx without a contract code): retried automatically;
 * thrown when the retries are spent. Quote `requestId` when reporting it.
 *
 * @example
 * ```ts
 * catch (error) { if (error instanceof InternalServerError) console.error("server bug", error.requestId); }
 * ```
 */
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
