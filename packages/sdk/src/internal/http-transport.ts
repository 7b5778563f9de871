import {
  CONTRACT_VERSION_HEADER,
  ERROR_CODES,
  type ErrorCode,
  isErrorCode,
  type Problem,
} from "@controlroom/contract";
import ky from "ky";
import pRetry from "p-retry";
import type { NormalizedClientOptions } from "../client-options.js";
import { createApiError } from "../errors/api-error.js";
import {
  ConnectionError,
  TimeoutError,
  UnexpectedResponseError,
} from "../errors/connection-error.js";
import { abortableSleep } from "./abortable-sleep.js";
import { isRetryable, parseRetryAfter, retryDelayMs } from "./retry-decision.js";

/** The part of a zod schema the transport uses to parse a success body. */
export interface ResponseSchema<T> {
  safeParse(
    value: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: readonly { message: string }[] } };
}

/** One logical call: everything that must stay the same on every attempt. */
export interface TransportRequest<T> {
  method: "GET" | "POST";
  path: string;
  query?: Record<string, string | number | undefined> | undefined;
  body?: unknown;
  headers?: Record<string, string> | undefined;
  /** Parses a success body; `null` for 204. */
  schema: ResponseSchema<T>;
  signal?: AbortSignal | undefined;
  /** Extra time one attempt may take, e.g. a long-poll's `wait_ms`. */
  extraTimeoutMs?: number | undefined;
}

/** A parsed success: its status and body (null for 204). */
export interface TransportResponse<T> {
  status: number;
  data: T | null;
  requestId: string | undefined;
}

const STATUS_TO_CODE = new Map<number, ErrorCode>(
  Object.entries(ERROR_CODES).map(([code, { status }]) => [status, code as ErrorCode]),
);

/**
 * Sends requests with one retry owner: p-retry runs the attempts, ky sends each one
 * with its own retries off. The body and headers (idempotency key, request ids) are
 * fixed before the first attempt, so a retry repeats the same logical call.
 */
export class HttpTransport {
  readonly #options: NormalizedClientOptions;

  constructor(options: NormalizedClientOptions) {
    this.#options = options;
  }

  async send<T>(request: TransportRequest<T>): Promise<TransportResponse<T>> {
    const { retry } = this.#options;
    const started = Date.now();
    let failures = 0;
    return pRetry(() => this.#attempt(request), {
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
        if (Date.now() - started + delay > retry.maxElapsedMs) return false;
        await abortableSleep(delay, request.signal);
        return true;
      },
    });
  }

  async #attempt<T>(request: TransportRequest<T>): Promise<TransportResponse<T>> {
    const { baseUrl, token, fetch: fetchImpl, timeoutMs, userAgent } = this.#options;
    const searchParams: Record<string, string> = {};
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) searchParams[key] = String(value);
    }
    const headers: Record<string, string> = {
      accept: "application/json, application/problem+json",
      "user-agent": userAgent,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...request.headers,
    };
    let response: Response;
    try {
      response = await ky(`${baseUrl}${request.path}`, {
        method: request.method,
        headers,
        searchParams,
        ...(request.body === undefined ? {} : { json: request.body }),
        retry: 0,
        throwHttpErrors: false,
        timeout: timeoutMs + (request.extraTimeoutMs ?? 0),
        fetch: fetchImpl,
        ...(request.signal ? { signal: request.signal } : {}),
      });
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      const name = (error as { name?: string }).name;
      if (name === "TimeoutError") {
        throw new TimeoutError(
          `${request.method} ${request.path}: no response within ${timeoutMs} ms`,
          {
            cause: error,
          },
        );
      }
      throw new ConnectionError(`${request.method} ${request.path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const requestId = response.headers.get("x-request-id") ?? undefined;
    if (response.ok) return this.#success(request, response, requestId);
    throw await this.#failure(request, response, requestId);
  }

  async #success<T>(
    request: TransportRequest<T>,
    response: Response,
    requestId: string | undefined,
  ): Promise<TransportResponse<T>> {
    if (response.status === 204) return { status: 204, data: null, requestId };
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      // A body cut off mid-way is a dropped response: the call may be retried.
      throw new ConnectionError(`${request.method} ${request.path}: unreadable response body`, {
        cause: error,
      });
    }
    const parsed = request.schema.safeParse(body);
    if (!parsed.success) {
      throw new UnexpectedResponseError(
        response.status,
        `${request.method} ${request.path}: response does not match the contract (${parsed.error.issues[0]?.message ?? "invalid"}); server contract version ${response.headers.get(CONTRACT_VERSION_HEADER) ?? "unknown"}`,
        { requestId },
      );
    }
    return { status: response.status, data: parsed.data, requestId };
  }

  async #failure(
    request: TransportRequest<unknown>,
    response: Response,
    requestId: string | undefined,
  ) {
    let problem: Problem | undefined;
    try {
      const body = (await response.json()) as Partial<Problem>;
      if (body && typeof body === "object" && isErrorCode(body.code)) problem = body as Problem;
    } catch {
      // Not JSON (a proxy's HTML page, say): fall back to the status.
    }
    const code =
      problem?.code ??
      STATUS_TO_CODE.get(response.status) ??
      (response.status >= 500 ? "internal" : undefined);
    if (!code) {
      return new UnexpectedResponseError(
        response.status,
        `${request.method} ${request.path}: HTTP ${response.status}`,
        {
          requestId,
        },
      );
    }
    return createApiError({
      status: response.status,
      code,
      message: `${request.method} ${request.path}: ${problem?.detail ?? `HTTP ${response.status}`}`,
      requestId,
      problem,
      retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
    });
  }
}
