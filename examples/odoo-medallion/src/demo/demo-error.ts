/** Why the demo could not run. */
export type DemoErrorCode = "DEMO_DATA_DIR_MISMATCH" | "DEMO_INVALID_OPTION" | "DEMO_RUN_TIMEOUT";

/** A demo failure that is the caller's to fix (a flag, a data directory), with its code. */
export class DemoError extends Error {
  readonly code: DemoErrorCode;

  constructor(code: DemoErrorCode, message: string) {
    super(message);
    this.name = "DemoError";
    this.code = code;
  }
}

/** True when `error` is a {@link DemoError}. */
export function isDemoError(error: unknown): error is DemoError {
  return error instanceof DemoError;
}
