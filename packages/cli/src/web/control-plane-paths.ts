import { ENDPOINTS, type EndpointDefinition } from "@controlroom/contract";

// The first path segment of every contract endpoint (`ops`, `healthz`, `metrics`,
// `openapi.json`). Derived from the contract rather than listed, so an endpoint added
// there can never be shadowed by the web app's routes or its SPA fallback.
const API_SEGMENTS = new Set(
  (Object.values(ENDPOINTS) as EndpointDefinition[]).map(
    (endpoint) => endpoint.path.split("/")[1] as string,
  ),
);

/**
 * True when `pathname` belongs to the control plane's API: it goes to the contract's
 * server untouched, including unknown paths under `/ops`, which must answer with the
 * API's 404 problem rather than the web app.
 *
 * @example
 * ```ts
 * isControlPlanePath("/ops/runs"); // true
 * isControlPlanePath("/runs/0190…"); // false: a page of the web app
 * ```
 */
export function isControlPlanePath(pathname: string): boolean {
  return API_SEGMENTS.has(pathname.split("/")[1] ?? "");
}
