import type { OpsStore } from "../ops-store.js";
import type { LeaseReaper } from "../server/lease-reaper.js";

/** Where the server reports what it cannot tell the client (unexpected errors). */
export interface ControlPlaneLogger {
  error(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
}

/** Options of {@link import("./create-control-plane-app.js").createControlPlaneApp}. */
export interface ControlPlaneAppOptions {
  /** The operations store every endpoint calls (PGlite or Postgres). */
  store: OpsStore;
  /** The HS256 secret bearer tokens are verified with (`CONTROLROOM_JWT_SECRET`). */
  jwtSecret: string;
  /**
   * The largest request body accepted; larger ones get 413 `payload_too_large`, checked
   * against `Content-Length` and again while the body streams in.
   * @default 8_388_608 (8 MiB)
   */
  bodyLimitBytes?: number | undefined;
  /**
   * How many `/ops` requests may be in progress at once, long-polls included; one more
   * gets 503 `unavailable` with `Retry-After`.
   * @default 1024
   */
  maxInFlight?: number | undefined;
  /**
   * How many long-polls (`wait_ms` > 0 on claims and events) may wait at once; one more
   * gets 503 `unavailable` with `Retry-After`. Each one re-checks the store every
   * `longPollIntervalMs`, so this also caps the polling load.
   * @default 256
   */
  maxLongPolls?: number | undefined;
  /**
   * How often a waiting long-poll re-checks the store even without a wake-up signal,
   * so that a lost notification or a retry whose backoff ran out never strands work.
   * @default 500
   */
  longPollIntervalMs?: number | undefined;
  /** The `Retry-After` (seconds) sent with 503 `unavailable`. @default 1 */
  retryAfterSeconds?: number | undefined;
  /**
   * How many verified bearer tokens the app remembers (until each one's `exp`), so a
   * worker's repeated token is not verified again on every call; 0 verifies every time.
   * @default 10_000
   */
  tokenCacheSize?: number | undefined;
  /**
   * When true, `GET /metrics` needs an `admin` bearer token; by default it is open like
   * most Prometheus exporters (it shows counts only, summed over all tenants).
   * @default false
   */
  metricsRequireAuth?: boolean | undefined;
  /**
   * Expires overdue leases; the app runs it (throttled) when a claim finds nothing to
   * claim. Pass the one the server also runs on an interval so both share one throttle.
   * @default an on-demand reaper over `store` with no interval of its own
   */
  reaper?: LeaseReaper | undefined;
  /**
   * Aborting it shuts the app down: waiting long-polls answer at once (204, or the
   * events so far) and new `/ops` requests get 503 `unavailable`.
   */
  signal?: AbortSignal | undefined;
  /** Milliseconds since the epoch; long-poll deadlines and token expiry use it. @default Date.now */
  clock?: (() => number) | undefined;
  /** Where unexpected errors are logged. @default console */
  logger?: ControlPlaneLogger | undefined;
}

/** {@link ControlPlaneAppOptions} with every default applied. */
export interface NormalizedAppOptions {
  store: OpsStore;
  secretKey: Uint8Array;
  bodyLimitBytes: number;
  maxInFlight: number;
  maxLongPolls: number;
  longPollIntervalMs: number;
  retryAfterSeconds: number;
  tokenCacheSize: number;
  metricsRequireAuth: boolean;
  signal: AbortSignal;
  clock: () => number;
  logger: ControlPlaneLogger;
}

/** The defaults of {@link ControlPlaneAppOptions}, in one place for the docs and tests. */
export const APP_DEFAULTS = {
  bodyLimitBytes: 8 * 1024 * 1024,
  maxInFlight: 1024,
  maxLongPolls: 256,
  longPollIntervalMs: 500,
  retryAfterSeconds: 1,
  tokenCacheSize: 10_000,
} as const;

const consoleLogger: ControlPlaneLogger = {
  error: (message, details) => console.error(`[controlroom] ${message}`, details ?? ""),
  warn: (message, details) => console.warn(`[controlroom] ${message}`, details ?? ""),
};

/** Applies defaults once and rejects options that cannot work. */
export function normalizeAppOptions(options: ControlPlaneAppOptions): NormalizedAppOptions {
  if (typeof options.jwtSecret !== "string" || options.jwtSecret.length === 0) {
    throw new TypeError("createControlPlaneApp: jwtSecret must be a non-empty string");
  }
  return {
    store: options.store,
    secretKey: new TextEncoder().encode(options.jwtSecret),
    bodyLimitBytes: positiveInt(
      "bodyLimitBytes",
      options.bodyLimitBytes,
      APP_DEFAULTS.bodyLimitBytes,
    ),
    maxInFlight: positiveInt("maxInFlight", options.maxInFlight, APP_DEFAULTS.maxInFlight),
    maxLongPolls: positiveInt("maxLongPolls", options.maxLongPolls, APP_DEFAULTS.maxLongPolls),
    longPollIntervalMs: positiveInt(
      "longPollIntervalMs",
      options.longPollIntervalMs,
      APP_DEFAULTS.longPollIntervalMs,
    ),
    retryAfterSeconds: positiveInt(
      "retryAfterSeconds",
      options.retryAfterSeconds,
      APP_DEFAULTS.retryAfterSeconds,
    ),
    tokenCacheSize: nonNegativeInt(
      "tokenCacheSize",
      options.tokenCacheSize,
      APP_DEFAULTS.tokenCacheSize,
    ),
    metricsRequireAuth: options.metricsRequireAuth ?? false,
    signal: options.signal ?? new AbortController().signal,
    clock: options.clock ?? Date.now,
    logger: options.logger ?? consoleLogger,
  };
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`createControlPlaneApp: ${name} must be a positive integer`);
  }
  return value;
}

function nonNegativeInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`createControlPlaneApp: ${name} must be a non-negative integer`);
  }
  return value;
}
