/** How calls are retried. Every field is optional; see each default. */
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
   * The longest delay between two attempts (a longer `Retry-After` is capped here too).
   * @default 10_000
   */
  maxDelayMs?: number;
  /**
   * Give up once this much time has passed since the first attempt.
   * @default 60_000
   */
  maxElapsedMs?: number;
}

/** Options of {@link ControlRoomClient}. */
export interface ControlRoomClientOptions {
  /**
   * The control plane's URL, e.g. `http://127.0.0.1:7400`.
   * @default process.env.CONTROLROOM_URL
   */
  baseUrl?: string | undefined;
  /**
   * The bearer token (a JWT the control plane signed).
   * @default process.env.CONTROLROOM_TOKEN
   */
  token?: string | undefined;
  /**
   * The fetch implementation, e.g. to add tracing or for tests.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch | undefined;
  /**
   * How long one attempt may take before it is abandoned (and retried). Long-polls
   * get their `wait_ms` on top.
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

/** Options every call accepts. */
export interface CallOptions {
  /**
   * Cancels the call, including any wait between retries.
   * @default undefined
   */
  signal?: AbortSignal | undefined;
}

/** The options with every default applied; made once per client. */
export interface NormalizedClientOptions {
  baseUrl: string;
  token: string | undefined;
  fetch: typeof fetch;
  timeoutMs: number;
  retry: Required<RetryOptions>;
  userAgent: string;
}

export const SDK_VERSION = "0.1.0";

/** Applies defaults and checks values once, so that every call can trust them. */
export function normalizeClientOptions(
  options: ControlRoomClientOptions = {},
): NormalizedClientOptions {
  const env = typeof process === "undefined" ? {} : process.env;
  const baseUrl = options.baseUrl ?? env.CONTROLROOM_URL;
  if (!baseUrl) {
    throw new TypeError(
      "ControlRoomClient needs a baseUrl (or CONTROLROOM_URL in the environment)",
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new TypeError(`ControlRoomClient baseUrl is not a URL: ${JSON.stringify(baseUrl)}`);
  }
  const retry = {
    maxAttempts: options.retry?.maxAttempts ?? 5,
    initialDelayMs: options.retry?.initialDelayMs ?? 250,
    maxDelayMs: options.retry?.maxDelayMs ?? 10_000,
    maxElapsedMs: options.retry?.maxElapsedMs ?? 60_000,
  };
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
    throw new RangeError("retry.maxAttempts must be an integer ≥ 1");
  }
  for (const key of ["initialDelayMs", "maxDelayMs", "maxElapsedMs"] as const) {
    if (!(retry[key] >= 0)) throw new RangeError(`retry.${key} must be ≥ 0`);
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!(timeoutMs > 0)) throw new RangeError("timeoutMs must be > 0");
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== "function") throw new TypeError("no fetch implementation available");
  return {
    baseUrl: parsed.href.replace(/\/+$/, ""),
    token: options.token ?? env.CONTROLROOM_TOKEN,
    fetch: fetchImpl,
    timeoutMs,
    retry,
    userAgent: options.userAgent ?? `controlroom-sdk/${SDK_VERSION}`,
  };
}
