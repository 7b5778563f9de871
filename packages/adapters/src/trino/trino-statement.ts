import { abortableSleep } from "../s3/abortable-sleep.js";
import { parseTrinoJson } from "./parse-trino-json.js";
import { isRetryable, queryFailed, toTrinoError } from "./to-trino-error.js";
import { TrinoError } from "./trino-error.js";
import type { TrinoHttpClient, TrinoRequest } from "./trino-http-client.js";
import { isTrinoPage, type TrinoPage } from "./trino-protocol.js";

const RETRIES = 5;
const CANCEL_TIMEOUT_MS = 10_000;
// The raw body: parseTrinoJson reads it without rounding BIGINTs.
const KEEP_TEXT = [(data: unknown) => data];

/** Options of {@link TrinoStatement}. */
export interface TrinoStatementOptions {
  /** The server's URL, for error messages. */
  server: string;
  /** Aborting it cancels the query on the server; the pages then reject with its reason. */
  signal: AbortSignal;
  /** How long one HTTP request may take. */
  requestTimeoutMs: number;
}

/**
 * One query through Trino's client protocol: `POST /v1/statement`, then `GET nextUri`
 * page by page (fetched only as the consumer asks, so the server holds the rest), and
 * `DELETE nextUri` to cancel — when the signal aborts, or the consumer stops early.
 *
 * @example
 * ```ts
 * const statement = new TrinoStatement(http, "SELECT 1", { server, signal, requestTimeoutMs: 60_000 });
 * for await (const page of statement.pages()) console.log(page.data);
 * ```
 */
export class TrinoStatement {
  readonly #http: TrinoHttpClient;
  readonly #sql: string;
  readonly #options: TrinoStatementOptions;
  #queryId: string | undefined;
  #nextUri: string | undefined;
  #finished = false;

  constructor(http: TrinoHttpClient, sql: string, options: TrinoStatementOptions) {
    this.#http = http;
    this.#sql = sql;
    this.#options = options;
  }

  /** The query's id on the server, once it has one. */
  get queryId(): string | undefined {
    return this.#queryId;
  }

  /**
   * Yields every page until the query finished; throws a `TRINO_QUERY_FAILED`
   * {@link TrinoError} when Trino failed it, the signal's reason when it aborted.
   * Leaving the loop early cancels the query on the server.
   */
  async *pages(): AsyncGenerator<TrinoPage> {
    const { signal } = this.#options;
    signal.throwIfAborted();
    try {
      let page = await this.#submit();
      for (;;) {
        this.#queryId = page.id;
        this.#nextUri = page.nextUri;
        if (page.error !== undefined) {
          this.#finished = true;
          throw queryFailed(page);
        }
        if (page.nextUri === undefined) this.#finished = true;
        yield page;
        if (this.#finished) return;
        signal.throwIfAborted();
        page = await this.#fetch(page.nextUri as string);
      }
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw toTrinoError(error, this.#options.server, this.#queryId);
    } finally {
      if (!this.#finished) await this.#cancel();
    }
  }

  // The POST is not aborted mid-flight: the server may already have created the query,
  // and only its answer gives the URI that cancels it. An abort rejects at once and
  // cancels the query once the answer arrives.
  #submit(): Promise<TrinoPage> {
    const { signal } = this.#options;
    const post = this.#send({ method: "POST", url: "/v1/statement", data: this.#sql });
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        reject(signal.reason);
        post.then(
          (page) => {
            this.#nextUri = page.nextUri;
            return this.#cancel();
          },
          () => undefined,
        );
      };
      signal.addEventListener("abort", onAbort, { once: true });
      post.then(
        (page) => {
          signal.removeEventListener("abort", onAbort);
          resolve(page);
        },
        (error: unknown) => {
          signal.removeEventListener("abort", onAbort);
          reject(error);
        },
      );
    });
  }

  async #fetch(nextUri: string): Promise<TrinoPage> {
    const { signal } = this.#options;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#send({ url: nextUri, signal });
      } catch (error) {
        if (signal.aborted || attempt >= RETRIES || !isRetryable(error)) throw error;
        await abortableSleep(100 * 2 ** attempt, signal);
      }
    }
  }

  async #send(request: TrinoRequest): Promise<TrinoPage> {
    const text = await this.#http.request<unknown>({
      ...request,
      timeout: this.#options.requestTimeoutMs,
      responseType: "text",
      transformResponse: KEEP_TEXT,
    });
    let page: unknown;
    try {
      page = typeof text === "string" ? parseTrinoJson(text) : text;
    } catch {
      page = undefined;
    }
    if (!isTrinoPage(page)) {
      throw new TrinoError(
        "TRINO_REQUEST_FAILED",
        `${this.#options.server} did not answer with Trino's client protocol: ${String(text).slice(0, 200)}`,
      );
    }
    return page;
  }

  // Best effort: a server that cannot be told still abandons the query once nobody
  // fetches its pages (query.client.timeout, 5 minutes by default).
  async #cancel(): Promise<void> {
    const uri = this.#nextUri;
    this.#nextUri = undefined;
    this.#finished = true;
    if (uri === undefined) return;
    try {
      await this.#http.request({ url: uri, method: "DELETE", timeout: CANCEL_TIMEOUT_MS });
    } catch {
      // Already finished, or unreachable: nothing more to do.
    }
  }
}
