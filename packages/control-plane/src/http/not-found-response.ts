import { ENDPOINTS, type EndpointDefinition } from "@controlroom/contract";
import { problemResponse } from "./problem-response.js";

const ROUTES = (Object.values(ENDPOINTS) as EndpointDefinition[]).map((endpoint) => ({
  method: endpoint.method.toUpperCase(),
  pattern: new RegExp(`^${endpoint.path.replace(/\{[a-z_0-9]+\}/g, "[^/]+")}$`),
}));

/**
 * The 404 `not_found` problem for a request no endpoint matched. When the path exists
 * with other methods, the answer says so and lists them in `Allow`; it stays a 404
 * because the contract's error codes have no 405 (a code never means two statuses).
 *
 * @example
 * ```ts
 * app.notFound((c) => notFoundResponse(c.req.method, c.req.path));
 * ```
 */
export function notFoundResponse(method: string, path: string): Response {
  const shown = path.length > 200 ? `${path.slice(0, 200)}…` : path;
  const allowed = ROUTES.filter((route) => route.pattern.test(path)).map((route) => route.method);
  if (allowed.length > 0) {
    const allow = [...new Set([...allowed, ...(allowed.includes("GET") ? ["HEAD"] : [])])];
    return problemResponse(
      "not_found",
      `${method} is not supported on ${shown}; it answers ${allow.join(", ")}`,
      { headers: { allow: allow.join(", ") } },
    );
  }
  return problemResponse("not_found", `there is no endpoint ${method} ${shown}`);
}
