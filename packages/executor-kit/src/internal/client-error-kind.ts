/**
 * How the worker reacts to an error from the SDK:
 * - `lease_lost`: the attempt is not ours any more; stop it, never complete it.
 * - `backpressure`: 429 / 503; wait (at least `Retry-After`) before calling again.
 * - `transient`: no response, a timeout or a 5xx; try again with backoff.
 * - `aborted`: we cancelled the call ourselves.
 * - `fatal`: the request is wrong (401, 403, 400); retrying cannot help.
 */
export type ClientErrorKind = "lease_lost" | "backpressure" | "transient" | "aborted" | "fatal";

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  status?: unknown;
  retryAfterMs?: unknown;
}

// Duck-typed rather than `instanceof`: the SDK may be another copy of the package,
// and the fields are part of its documented error shape.
export function clientErrorKind(error: unknown): ClientErrorKind {
  const shape = (typeof error === "object" && error !== null ? error : {}) as ErrorShape;
  if (shape.name === "AbortError") return "aborted";
  if (shape.code === "lease_lost" || shape.name === "LeaseLostError") return "lease_lost";
  const status = typeof shape.status === "number" ? shape.status : undefined;
  if (
    status === 429 ||
    status === 503 ||
    shape.code === "rate_limited" ||
    shape.code === "unavailable"
  ) {
    return "backpressure";
  }
  if (status === undefined || status >= 500 || status === 408) return "transient";
  return "fatal";
}

/** The server's `Retry-After`, in milliseconds, when the error carries one. */
export function retryAfterMsOf(error: unknown): number | undefined {
  const value = (error as ErrorShape | null)?.retryAfterMs;
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}
