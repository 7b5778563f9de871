import type { ControlRoomClientOptions, RetryOptions } from "../client-options.js";
import { fetchExchange, globalFetch } from "./fetch-exchange.js";
import type { HttpExchange } from "./http-exchange.js";
import { nodeHttpExchange } from "./node-http-exchange.js";

/** The options with every default applied; made once per client. */
export interface NormalizedClientOptions {
  baseUrl: string;
  token: string | undefined;
  /** How requests go out: the caller's fetch, Node's http, or globalThis.fetch. */
  exchange: HttpExchange;
  timeoutMs: number;
  retry: Required<RetryOptions>;
  userAgent: string;
}

/** Sent in the default `User-Agent`; kept in step with package.json. */
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
  if (!(timeoutMs > 0 && Number.isFinite(timeoutMs))) {
    throw new RangeError("timeoutMs must be a finite number > 0");
  }
  return {
    baseUrl: parsed.href.replace(/\/+$/, ""),
    token: options.token ?? env.CONTROLROOM_TOKEN,
    exchange: chooseExchange(options.fetch),
    timeoutMs,
    retry,
    userAgent: options.userAgent ?? `controlroom-sdk/${SDK_VERSION}`,
  };
}

/**
 * A fetch the caller gave wins; on Node, its http module (far cheaper per call than
 * its fetch); elsewhere globalThis.fetch.
 */
function chooseExchange(fetchOption: typeof fetch | undefined): HttpExchange {
  if (fetchOption) return fetchExchange(fetchOption);
  if (typeof process !== "undefined" && typeof process.versions?.node === "string") {
    return nodeHttpExchange();
  }
  if (typeof globalThis.fetch !== "function") {
    throw new TypeError("no fetch implementation available");
  }
  return fetchExchange(globalFetch);
}
