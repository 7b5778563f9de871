import { ApiError } from "../errors/api-error.js";
import {
  ConnectionError,
  TimeoutError,
  UnexpectedResponseError,
} from "../errors/connection-error.js";

/**
 * Whether a failed attempt may be tried again: no response (connection or timeout),
 * 408, 429 and 5xx. Never another 4xx (a conflict, a bad request, a missing run):
 * repeating those cannot change the answer.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ConnectionError || error instanceof TimeoutError) return true;
  if (error instanceof ApiError || error instanceof UnexpectedResponseError) {
    return error.status === 408 || error.status === 429 || error.status >= 500;
  }
  return false;
}

/**
 * The wait before attempt `failedAttempts + 1`. A server's `Retry-After` is honoured
 * as given (the caller's total-time cap decides whether waiting is worth it);
 * otherwise exponential backoff from `initialDelayMs`, capped at `maxDelayMs`, plus up
 * to 20% jitter so that many clients do not retry in step.
 */
export function retryDelayMs(
  error: unknown,
  failedAttempts: number,
  policy: { initialDelayMs: number; maxDelayMs: number },
  random: () => number = Math.random,
): number {
  const retryAfter = error instanceof ApiError ? error.retryAfterMs : undefined;
  if (retryAfter !== undefined) return retryAfter;
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (failedAttempts - 1));
  return Math.round(base * (1 + 0.2 * random()));
}

/** Parses `Retry-After` (delay seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
