import { ExecutorKitError, type ExecutorKitErrorOptions } from "./executor-kit-error.js";

/**
 * Throw from a phase when retrying cannot help (bad input, a missing table, a
 * violated contract): the attempt fails with `retryable: false` and the control plane
 * fails the phase at once instead of spending its remaining attempts.
 *
 * @example
 * ```ts
 * const load = phase({
 *   async run(ctx) {
 *     if (!ctx.params.table) throw new NonRetryableError("params.table is required");
 *     return {};
 *   },
 * });
 * ```
 */
export class NonRetryableError extends ExecutorKitError {
  constructor(message: string, options: ExecutorKitErrorOptions = {}) {
    super("non_retryable", message, options);
    this.name = "NonRetryableError";
  }
}
