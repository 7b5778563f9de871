import { ExecutorKitError, type ExecutorKitErrorOptions } from "./executor-kit-error.js";

/**
 * Throw from a phase when you know when a retry can succeed (a rate limit, a source
 * still loading): the attempt fails retryable with `retry_after_ms`, which replaces
 * the computed backoff for this attempt. The attempt still counts against
 * `max_attempts`.
 *
 * @example
 * ```ts
 * const fetchRates = phase({
 *   async run() {
 *     const response = await fetch("https://example.com/rates");
 *     if (response.status === 429) throw new RetryAfterError("rate limited", 30_000);
 *     return { rates: await response.json() };
 *   },
 * });
 * ```
 */
export class RetryAfterError extends ExecutorKitError {
  /** How long to wait before the next attempt, in milliseconds (integer, ≥ 0). */
  readonly retryAfterMs: number;

  constructor(message: string, retryAfterMs: number, options: ExecutorKitErrorOptions = {}) {
    super("retry_after", message, options);
    this.name = "RetryAfterError";
    // The contract accepts 0–86 400 000 ms; clamp rather than have the complete rejected.
    this.retryAfterMs = Math.min(86_400_000, Math.max(0, Math.round(retryAfterMs)));
  }
}
