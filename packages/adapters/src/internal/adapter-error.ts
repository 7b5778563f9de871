// A symbol from the global registry survives duplicate copies of this package and
// other realms (worker threads, vm contexts), where `instanceof` does not.
const BRAND = Symbol.for("controlroom.adapters.error");

/** Options of {@link AdapterError}. */
export interface AdapterErrorOptions {
  /**
   * The error that caused this one.
   * @default undefined
   */
  cause?: unknown;
}

/**
 * The base class of every error `@controlroom/adapters` throws, with a literal `code`
 * per subclass (`DELTA_UNSUPPORTED_FEATURE`, `LOCAL_INVALID_KEY`…). Check for it with
 * {@link isAdapterError}, which works across realms.
 *
 * @example
 * ```ts
 * try {
 *   await table.snapshot();
 * } catch (error) {
 *   if (isAdapterError(error)) console.error(error.code, error.message);
 * }
 * ```
 */
export class AdapterError<Code extends string = string> extends Error {
  /** What went wrong, as a stable machine-readable string. */
  readonly code: Code;

  constructor(code: Code, message: string, options: AdapterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AdapterError";
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * True when `value` is an {@link AdapterError} (or a subclass), even one from another
 * copy of this package.
 *
 * @example
 * ```ts
 * if (isAdapterError(error) && error.code === "DELTA_CONCURRENT_MODIFICATION") retry();
 * ```
 */
export function isAdapterError(value: unknown): value is AdapterError {
  return typeof value === "object" && value !== null && BRAND in value;
}
