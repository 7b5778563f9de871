import {
  type ErrorCode,
  PROBLEM_MEDIA_TYPE,
  problem,
  type ValidationIssue,
} from "@controlroom/contract";

/** Extras of {@link problemResponse}. */
export interface ProblemResponseOptions {
  /** Validation issues, listed as `errors`. */
  errors?: ValidationIssue[] | undefined;
  /** Seconds for `Retry-After` (429 and 503 should always have one). */
  retryAfterSeconds?: number | undefined;
  /** More response headers, e.g. `Allow` or `WWW-Authenticate`. */
  headers?: Record<string, string> | undefined;
}

/**
 * An RFC 9457 `application/problem+json` response for a contract error code, with the
 * status the contract assigns to that code.
 *
 * @example
 * ```ts
 * return problemResponse("unavailable", "too many long-polls", { retryAfterSeconds: 1 });
 * ```
 */
export function problemResponse(
  code: ErrorCode,
  detail: string,
  options: ProblemResponseOptions = {},
): Response {
  const body = problem(code, detail, options.errors);
  const headers = new Headers(options.headers);
  headers.set("content-type", PROBLEM_MEDIA_TYPE);
  headers.set("cache-control", "no-store");
  if (options.retryAfterSeconds !== undefined) {
    headers.set("retry-after", String(options.retryAfterSeconds));
  }
  return new Response(JSON.stringify(body), { status: body.status, headers });
}
