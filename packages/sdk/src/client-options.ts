/**
 * How calls are retried: network errors, timeouts, 408, 429 and 5xx, with exponential
 * backoff and jitter; a server's `Retry-After` is honoured. Every field is optional.
 *
 * @example
 * ```ts
 * const client = new ControlRoomClient({ retry: { maxAttempts: 8, maxElapsedMs: 120_000 } });
 * ```
 */
export interface RetryOptions {
  /**
   * Attempts per logical call, the first included. `1` turns retries off.
   * @default 5
   */
  maxAttempts?: number;
  /**
   * The delay before the first retry; each later one doubles, up to `maxDelayMs`,
   * plus up to 20% jitter. A `Retry-After` from the server replaces it.
   * @default 250
   */
  initialDelayMs?: number;
  /**
   * The longest computed backoff between two attempts. A server's `Retry-After` is
   * honoured even when longer, as long as the retry still fits in `maxElapsedMs`;
   * otherwise the call fails at once with the server's error (its `retryAfterMs` says
   * when to come back).
   * @default 10_000
   */
  maxDelayMs?: number;
  /**
   * Give up once this much time has passed since the first attempt: no retry starts
   * after it, and no wait is begun that would end past it.
   * @default 60_000
   */
  maxElapsedMs?: number;
}

/**
 * Options of {@link ControlRoomClient}, normalised once when the client is made.
 *
 * @example
 * ```ts
 * const client = new ControlRoomClient({
 *   baseUrl: "http://127.0.0.1:7400",
 *   token: process.env.MY_TOKEN,
 *   timeoutMs: 10_000,
 *   retry: { maxAttempts: 3 },
 *   userAgent: "nightly-bot/1.2",
 * });
 * ```
 */
export interface ControlRoomClientOptions {
  /**
   * The control plane's URL, e.g. `http://127.0.0.1:7400`.
   * @default process.env.CONTROLROOM_URL
   */
  baseUrl?: string | undefined;
  /**
   * The bearer token (a JWT the control plane signed). Never logged or put in errors.
   * @default process.env.CONTROLROOM_TOKEN
   */
  token?: string | undefined;
  /**
   * The fetch implementation, e.g. to add tracing or for tests.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch | undefined;
  /**
   * How long one attempt may take, reading the body included, before it is abandoned
   * (and retried). Long-polls (`claims.claim` and `events.list` with `wait_ms`) get
   * their wait on top, so a long-poll never times out before the server answers.
   * @default 30_000
   */
  timeoutMs?: number | undefined;
  /**
   * Retry policy for network errors, timeouts, 408, 429 and 5xx. Other 4xx are never retried.
   * @default { maxAttempts: 5, initialDelayMs: 250, maxDelayMs: 10_000, maxElapsedMs: 60_000 }
   */
  retry?: RetryOptions | undefined;
  /**
   * Sent as `User-Agent`, so the server's logs name the caller.
   * @default "controlroom-sdk/<version>"
   */
  userAgent?: string | undefined;
}

/**
 * Options every call accepts.
 *
 * @example
 * ```ts
 * const run = await client.runs.get(runId, { signal: AbortSignal.timeout(5_000) });
 * ```
 */
export interface CallOptions {
  /**
   * Cancels the call, including an attempt in flight and any wait between retries;
   * the call rejects with the signal's reason.
   * @default undefined
   */
  signal?: AbortSignal | undefined;
}
