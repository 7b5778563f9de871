import { BasicAuth, type ConnectionOptions, Trino } from "trino-client";
import { TrinoError } from "./trino-error.js";

/** One HTTP request as the engine sends it through trino-client (axios options). */
export interface TrinoRequest {
  url: string;
  method?: "GET" | "POST" | "DELETE" | undefined;
  data?: string | undefined;
  signal?: AbortSignal | undefined;
  timeout?: number | undefined;
  responseType?: "text" | undefined;
  transformResponse?: Array<(data: unknown) => unknown> | undefined;
}

/**
 * The part of trino-client's HTTP client the engine drives: one `request` per call,
 * with the connection's base URL, headers, credentials and TLS agent applied, resolving
 * to the response body.
 */
export interface TrinoHttpClient {
  request<T>(request: TrinoRequest): Promise<T>;
}

/**
 * Creates trino-client's HTTP client for one statement. A fresh one per statement,
 * because trino-client keeps `SET SESSION`/`USE` answers in the client's headers: a
 * shared client would carry one call's session into the next, or into a concurrent one.
 *
 * @example
 * ```ts
 * const http = createTrinoHttpClient({ server: "http://127.0.0.1:8080" }, headers);
 * ```
 */
export function createTrinoHttpClient(
  options: ConnectionOptions & { basic?: { user: string; password: string } | undefined },
): TrinoHttpClient {
  const { basic, ...connection } = options;
  const trino = Trino.create({
    ...connection,
    ...(basic === undefined ? {} : { auth: new BasicAuth(basic.user, basic.password) }),
  });
  // trino-client 0.2.9's public query() parses every page with JSON.parse, which rounds
  // BIGINTs past 2^53 (trino-js-client#983), and it takes no abort signal. Its internal
  // client's request() takes axios options, so the engine sends the protocol's
  // requests through it and keeps the raw text to parse itself.
  const client = (trino as unknown as { client?: { request?: unknown } }).client;
  if (typeof client?.request !== "function") {
    throw new TrinoError(
      "TRINO_CLIENT_UNSUPPORTED",
      "this trino-client has no internal request(): install trino-client 0.2.9",
    );
  }
  return client as TrinoHttpClient;
}
