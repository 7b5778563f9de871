import type { RetryPolicy } from "./phase.js";

/** The most jitter added to a backoff delay, as a fraction of it (CONTRACT.md: up to 20%). */
export const BACKOFF_JITTER = 0.2;

/**
 * The delay before the next attempt after `failedAttempts` failed attempts (n ≥ 1):
 * `min(max_interval_ms, initial_interval_ms * backoff_coefficient^(n-1))`, plus up to
 * 20% jitter. The control plane computes the same formula in SQL; this one serves
 * clients and tests that need to predict it.
 *
 * @param random - a number in [0, 1); pass `0` for the delay without jitter.
 * @example
 * ```ts
 * backoffDelayMs({ max_attempts: 3, initial_interval_ms: 1000, backoff_coefficient: 2, max_interval_ms: 60000 }, 2, 0); // 2000
 * ```
 */
export function backoffDelayMs(
  policy: RetryPolicy,
  failedAttempts: number,
  random = Math.random(),
): number {
  if (!Number.isInteger(failedAttempts) || failedAttempts < 1) {
    throw new RangeError(`failedAttempts must be an integer ≥ 1, got ${failedAttempts}`);
  }
  const base = Math.min(
    policy.max_interval_ms,
    policy.initial_interval_ms * policy.backoff_coefficient ** (failedAttempts - 1),
  );
  return Math.round(base * (1 + BACKOFF_JITTER * random));
}
