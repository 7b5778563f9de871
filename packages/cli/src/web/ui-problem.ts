import { type ErrorCode, PROBLEM_MEDIA_TYPE, problem } from "@controlroom/contract";

/**
 * A problem document response (RFC 9457) with a contract error code, for the web UI's
 * read endpoints, so the browser handles their errors exactly like the API's.
 *
 * @example
 * ```ts
 * return uiProblem("not_found", "run 0190… wrote no table gold.x");
 * ```
 */
export function uiProblem(code: ErrorCode, detail: string): Response {
  const body = problem(code, detail);
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { "content-type": PROBLEM_MEDIA_TYPE, "cache-control": "no-store" },
  });
}
