import { TrinoError } from "./trino-error.js";
import type { TrinoPage } from "./trino-protocol.js";

// What the engine reads from an axios error (trino-client sends with axios).
interface HttpFailure {
  isAxiosError: true;
  message: string;
  code?: string | undefined;
  response?: { status: number; data?: unknown } | undefined;
}

/**
 * The {@link TrinoError} for a page that carries Trino's failure, with Trino's message,
 * error name, type, numeric code and the query id.
 *
 * @example
 * ```ts
 * if (page.error) throw queryFailed(page);
 * ```
 */
export function queryFailed(page: TrinoPage): TrinoError {
  const failure = page.error ?? {};
  return new TrinoError("TRINO_QUERY_FAILED", failure.message ?? "Trino failed the query", {
    queryId: page.id,
    errorName: failure.errorName,
    errorType: failure.errorType,
    trinoErrorCode: failure.errorCode,
  });
}

/**
 * Wraps whatever a request threw in a {@link TrinoError}: HTTP 401/403 →
 * `TRINO_AUTHENTICATION_FAILED`, other HTTP errors → `TRINO_REQUEST_FAILED` (with
 * `status`), no response → `TRINO_CONNECTION_FAILED`.
 *
 * @example
 * ```ts
 * throw toTrinoError(error, "http://127.0.0.1:8080", queryId);
 * ```
 */
export function toTrinoError(error: unknown, server: string, queryId?: string): TrinoError {
  if (error instanceof TrinoError) return error;
  if (isHttpFailure(error)) {
    const status = error.response?.status;
    if (status === undefined) {
      return new TrinoError(
        "TRINO_CONNECTION_FAILED",
        `cannot reach Trino at ${server}: ${error.message}${error.code ? ` (${error.code})` : ""}`,
        { cause: error, queryId },
      );
    }
    const body = bodyText(error.response?.data);
    const code =
      status === 401 || status === 403 ? "TRINO_AUTHENTICATION_FAILED" : "TRINO_REQUEST_FAILED";
    return new TrinoError(code, `Trino answered HTTP ${status}${body ? `: ${body}` : ""}`, {
      cause: error,
      queryId,
      status,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TrinoError("TRINO_REQUEST_FAILED", message, { cause: error, queryId });
}

/**
 * True for errors worth sending the same `GET nextUri` again: Trino's protocol asks
 * clients to retry 502, 503 and 504, and a reset connection lost nothing either.
 *
 * @example
 * ```ts
 * if (attempt < 5 && isRetryable(error)) await sleep(100 * 2 ** attempt);
 * ```
 */
export function isRetryable(error: unknown): boolean {
  if (!isHttpFailure(error)) return false;
  const status = error.response?.status;
  if (status === undefined) return error.code === "ECONNRESET" || error.code === "EPIPE";
  return status === 502 || status === 503 || status === 504;
}

function isHttpFailure(error: unknown): error is HttpFailure {
  return (
    typeof error === "object" && error !== null && (error as HttpFailure).isAxiosError === true
  );
}

// The first line of an error body, short: Trino's are plain text (`Error 403 Forbidden: …`).
function bodyText(data: unknown): string {
  const text = typeof data === "string" ? data : data === undefined ? "" : JSON.stringify(data);
  const line = text.trim().split("\n")[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
