import { ENDPOINTS, type EndpointName } from "@controlroom/contract";
import ky from "ky";
import pRetry from "p-retry";
import { ConnectionError, TimeoutError } from "../errors/connection-error.js";
import { isControlRoomError } from "../errors/control-room-error.js";
import { uuidv7 } from "../uuidv7.js";
import { abortableSleep } from "./abortable-sleep.js";
import type { EndpointResult } from "./endpoint-result.js";
import { endpointUrl } from "./endpoint-url.js";
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
 * Sends requests with one retry owner: p-retry runs the attempts, ky sends each one
 * with its own retries off. The body and headers (idempotency key, request ids) are
 * fixed by the caller before the first attempt, so a retry repeats the same logical
 * call. Each attempt sends its own `x-request-id` (`<call id>.<attempt>`), which the
 * server echoes and logs, so every error can name the request it came from.
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
    let failures = 0;
    return pRetry((attempt) => this.#attempt(request, `${callId}.${attempt}`), {
      retries: retry.maxAttempts - 1,
      minTimeout: 0,
      maxTimeout: 0,
      randomize: false,
      maxRetryTime: retry.maxElapsedMs,
      ...(request.signal ? { signal: request.signal } : {}),
      // The wait lives here rather than in p-retry's own timer so that a server's
      // Retry-After can replace the computed backoff.
      shouldRetry: async ({ error }) => {
        if (!isRetryable(error) || request.signal?.aborted) return false;
        failures += 1;
        const delay = retryDelayMs(error, failures, retry);
        // Waiting past the total-time cap would only delay the same failure.
        if (Date.now() - started + delay > retry.maxElapsedMs) return false;
        await abortableSleep(delay, request.signal);
        return true;
      },
    });
  }

  async #attempt<N extends EndpointName>(
    request: TransportRequest<N>,
    attemptId: string,
  ): Promise<EndpointResult<N>> {
    const { baseUrl, token, fetch: fetchImpl, timeoutMs, userAgent } = this.#options;
    const url = endpointUrl(baseUrl, request.endpoint, request.params, request.query);
    const method = ENDPOINTS[request.endpoint].method.toUpperCase();
    const label = `${method} ${new URL(url).pathname}`;
    const budgetMs = timeoutMs + (request.extraTimeoutMs ?? 0);
    // One timer covers the whole attempt, reading the body included.
    const timeout = AbortSignal.timeout(budgetMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    let requestId = attemptId;
    try {
      const response = await ky(url, {
        method,
        headers: {
          accept: "application/json, application/problem+json",
          "user-agent": userAgent,
          "x-request-id": attemptId,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...request.headers,
        },
        ...(request.body === undefined ? {} : { json: request.body }),
        retry: 0,
        throwHttpErrors: false,
        timeout: false,
        fetch: fetchImpl,
        signal,
      });
      requestId = response.headers.get("x-request-id") ?? attemptId;
      const context = { label, requestId, signal };
      if (response.ok) return await readSuccess(request.endpoint, response, context);
      throw await readFailure(response, context);
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      if (isControlRoomError(error)) throw error;
      if (timeout.aborted) {
        throw new TimeoutError(`${label}: no response within ${budgetMs} ms`, {
          cause: error,
          requestId,
        });
      }
      throw new ConnectionError(`${label}: ${(error as Error).message}`, {
        cause: error,
        requestId,
      });
    }
  }
}
