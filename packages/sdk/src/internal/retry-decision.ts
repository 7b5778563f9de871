import { ApiError } from "../errors/api-error.js";
import { ConnectionError, TimeoutError } from "../errors/connection-error.js";

/**
 * Whether a failed attempt may be tried again: no response (connection or timeout),
 * 408, 429 and 5xx. Never a 4xx that states a conflict or a bad request — repeating
 * those cannot change the answer.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ConnectionError || error instanceof TimeoutError) return true;
  if (error instanceof ApiError) {
    return error.status === 408 || error.status === 429 || error.status >= 500;
  }
  return false;
}

/**
 * The wait before attempt `failedAttempts + 1`: the server's `Retry-After` when it
 * gave one, else exponential backoff from `initialDelayMs` with up to 20% jitter;
 * both capped at `maxDelayMs`.
 */
export function retryDelayMs(
  error: unknown,
  failedAttempts: number,
  policy: { initialDelayMs: number; maxDelayMs: number },
  random: () => number = Math.random,
): number {
  const retryAfter = error instanceof ApiError ? error.retryAfterMs : undefined;
  if (retryAfter !== undefined) return Math.min(retryAfter, policy.maxDelayMs);
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (failedAttempts - 1));
  return Math.round(base * (1 + 0.2 * random()));
}

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
