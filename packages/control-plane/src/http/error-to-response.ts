import { isControlPlaneError } from "../control-plane-error.js";
import type { ControlPlaneLogger } from "./control-plane-app-options.js";
import { problemResponse } from "./problem-response.js";

/**
 * Turns anything a handler threw into a problem response. A `ControlPlaneError` keeps
 * its contract code and message (with `Retry-After` on 429/503 and `WWW-Authenticate`
 * on 401). Anything else, and `internal` errors, are logged with the request id and
 * answered with a generic 500 that names the request id but not the cause, so no stack
 * trace, SQL or secret leaves the server.
 *
 * @example
 * ```ts
 * app.onError((error, c) => errorToResponse(error, c.get("requestId"), logger, 1));
 * ```
 */
export function errorToResponse(
  error: unknown,
  requestId: string,
  logger: ControlPlaneLogger,
  retryAfterSeconds: number,
): Response {
  if (isControlPlaneError(error) && error.code !== "internal") {
    const retry = error.code === "unavailable" || error.code === "rate_limited";
    return problemResponse(error.code, error.message, {
      errors: error.issues,
      ...(retry ? { retryAfterSeconds } : {}),
      ...(error.code === "unauthorized"
        ? { headers: { "www-authenticate": 'Bearer realm="controlroom"' } }
        : {}),
    });
  }
  logger.error("unexpected error while answering a request", {
    requestId,
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  return problemResponse(
    "internal",
    `the server failed to answer this request; its log has the details under request id ${requestId}`,
  );
}
