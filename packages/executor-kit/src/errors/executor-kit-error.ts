// A symbol from the global registry survives duplicate copies of this package and
// other realms (worker threads, vm contexts), where `instanceof` does not.
const BRAND = Symbol.for("controlroom.executor-kit.error");

/** Every error code this package throws; phases see them in `PhaseError.code`. */
export type ExecutorKitErrorCode =
  | "non_retryable"
  | "retry_after"
  | "timeout"
  | "cancelled"
  | "lease_lost"
  | "worker_shutdown"
  | "unknown_phase"
  | "invalid_params"
  | "invalid_output"
  | "secret_missing"
  | "no_artifact_store"
  | "invalid_definition"
  | "invalid_event";

/** Options of {@link ExecutorKitError}. */
export interface ExecutorKitErrorOptions {
  /**
   * The error that caused this one.
   * @default undefined
   */
  cause?: unknown;
}

/**
 * The base class of every error this package throws, with a literal `code`.
 * Check for it with {@link isExecutorKitError}, which works across realms.
 *
 * @example
 * ```ts
 * try {
 *   await runPhase(executor, "load", { params: {} });
 * } catch (error) {
 *   if (isExecutorKitError(error)) console.error(error.code);
 * }
 * ```
 */
export class ExecutorKitError extends Error {
  /** What went wrong, as a stable machine-readable string. */
  readonly code: ExecutorKitErrorCode;

  constructor(code: ExecutorKitErrorCode, message: string, options: ExecutorKitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ExecutorKitError";
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * True when `value` is an {@link ExecutorKitError} (or a subclass), even one from
 * another copy of this package.
 *
 * @example
 * ```ts
 * if (isExecutorKitError(error) && error.code === "timeout") retryLater();
 * ```
 */
export function isExecutorKitError(value: unknown): value is ExecutorKitError {
  return typeof value === "object" && value !== null && BRAND in value;
}
