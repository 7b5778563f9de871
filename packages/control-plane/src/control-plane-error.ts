import { ERROR_CODES, type ErrorCode, type ValidationIssue } from "@controlroom/contract";

/**
 * The one error class of the control plane. `code` is a contract error code, so the
 * HTTP layer turns it into a problem document without guessing.
 */
export class ControlPlaneError extends Error {
  override readonly name = "ControlPlaneError";
  readonly code: ErrorCode;
  readonly status: number;
  readonly issues: ValidationIssue[] | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; issues?: ValidationIssue[] },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.issues = options?.issues;
  }
}

/** True for a {@link ControlPlaneError}, also across realms and bundled copies. */
export function isControlPlaneError(value: unknown): value is ControlPlaneError {
  return (
    value instanceof ControlPlaneError ||
    (typeof value === "object" &&
      value !== null &&
      (value as { name?: unknown }).name === "ControlPlaneError")
  );
}
