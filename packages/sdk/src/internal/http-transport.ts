import { ENDPOINTS, type EndpointName } from "@controlroom/contract";
import { ConnectionError, TimeoutError } from "../errors/connection-error.js";
import { isControlRoomError } from "../errors/control-room-error.js";
import { uuidv7 } from "../uuidv7.js";
import { abortableSleep } from "./abortable-sleep.js";
import { AttemptAbort } from "./attempt-abort.js";
import type { EndpointResult } from "./endpoint-result.js";
import { endpointUrl } from "./endpoint-url.js";
import { followAbort } from "./follow-abort.js";
import type { NormalizedClientOptions } from "./normalize-client-options.js";
import { readFailure, readSuccess } from "./read-response.js";
import { isRetryable, retryDelayMs } from "./retry-decision.js";

/** One logical call: everything that must stay the same on every attempt. */
export interface TransportRequest<N extends EndpointName> {
  /** The contract operation; its method, path and response schemas come from `ENDPOINTS`. */
  endpoint: N;
  /** Values of the path's `{param}`s. */
  params?: Record<string, string> | undefined;
  query?: Record<string, string | number | undefined> | undefined;
  /** The JSON body, complete with any ids the SDK minted for this call. */
  body?: unknown;
  headers?: Record<string, string> | undefined;
  signal?: AbortSignal | undefined;
  /** Extra time one attempt may take, e.g. a long-poll's `wait_ms`. */
  extraTimeoutMs?: number | undefined;
}

/**
 * Sends requests and owns their retries. The body and headers (idempotency key,
 * request ids) are fixed by the caller before the first attempt, so a retry repeats
 * the same logical call. Each attempt sends its own `x-request-id` (`<call id>.<attempt>`),
 * which the server echoes and logs, so every error can name the request it came from.
 *
 * Deliberately plain (a loop, one timer and one `AttemptAbort` per attempt, the body
 * serialised once): a worker makes several calls per phase, and per-call machinery
 * (request cloning, composed abort signals, even one AbortController) cost more CPU
 * than the call itself.
 */
export class HttpTransport {
  readonly #options: NormalizedClientOptions;

  constructor(options: NormalizedClientOptions) {
    this.#options = options;
  }

  async send<N extends EndpointName>(request: TransportRequest<N>): Promise<EndpointResult<N>> {
    const { retry } = this.#options;
    const started = Date.now();
    const callId = uuidv7();
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#attempt(request, body, `${callId}.${attempt}`);
      } catch (error) {
        if (request.signal?.aborted) throw request.signal.reason;
        if (attempt >= retry.maxAttempts || !isRetryable(error)) throw error;
        const delay = retryDelayMs(error, attempt, retry);
        // Waiting past the total-time cap would only delay the same failure.
        if (Date.now() - started + delay > retry.maxElapsedMs) throw error;
        await abortableSleep(delay, request.signal);
      }
    }
  }

  async #attempt<N extends EndpointName>(
    request: TransportRequest<N>,
    body: string | undefined,
    attemptId: string,
  ): Promise<EndpointResult<N>> {
    const { baseUrl, token, exchange, timeoutMs, userAgent } = this.#options;
    const outer = request.signal;
    outer?.throwIfAborted();
    const url = endpointUrl(baseUrl, request.endpoint, request.params, request.query);
    const method = ENDPOINTS[request.endpoint].method.toUpperCase();
    const label = `${method} ${pathOf(url, baseUrl)}`;
    const budgetMs = timeoutMs + (request.extraTimeoutMs ?? 0);
    // One timer covers the whole attempt, reading the body included.
    const abort = new AttemptAbort();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort(new Error(`no response within ${budgetMs} ms`));
    }, budgetMs);
    const unfollow = outer ? followAbort(outer, abort) : undefined;
    let requestId = attemptId;
    try {
      const headers: Record<string, string> = {
        accept: "application/json, application/problem+json",
        "user-agent": userAgent,
        "x-request-id": attemptId,
      };
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers["content-type"] = "application/json";
      const response = await exchange({
        method,
        url,
        headers: request.headers ? { ...headers, ...request.headers } : headers,
        body,
        abort,
      });
      requestId = response.header("x-request-id") ?? attemptId;
      const context = { label, requestId };
      if (response.status >= 200 && response.status < 300) {
        return await readSuccess(request.endpoint, response, context);
      }
      throw await readFailure(response, context);
    } catch (error) {
      if (outer?.aborted) throw outer.reason;
      if (isControlRoomError(error)) throw error;
      if (timedOut) {
        throw new TimeoutError(`${label}: no response within ${budgetMs} ms`, {
          cause: error,
          requestId,
        });
      }
      throw new ConnectionError(`${label}: ${(error as Error)?.message ?? String(error)}`, {
        cause: error,
        requestId,
      });
    } finally {
      clearTimeout(timer);
      unfollow?.();
    }
  }
}

/** The URL's path (no query), without parsing it again: it starts with the base URL. */
function pathOf(url: string, baseUrl: string): string {
  const rest = url.startsWith(baseUrl) ? url.slice(baseUrl.length) : new URL(url).pathname;
  const query = rest.indexOf("?");
  return query < 0 ? rest : rest.slice(0, query);
}
