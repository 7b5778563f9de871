import {
  buildOpenApiDocument,
  CONTRACT_VERSION,
  type OpenApiDocument,
} from "@controlroom/contract";
import type { EndpointHandlers } from "../endpoint-handler.js";
import { PROMETHEUS_CONTENT_TYPE, renderPrometheusText } from "../prometheus-text.js";
import type { HandlerDeps } from "./handler-deps.js";

/**
 * Handlers of the service endpoints: `/healthz` (liveness, no auth), `/openapi.json`
 * (the contract's document, built once on first use) and `/metrics` (Prometheus text).
 *
 * @example
 * ```ts
 * const handlers = { ...serviceHandlers(deps) };
 * ```
 */
export function serviceHandlers(
  deps: HandlerDeps,
): Pick<EndpointHandlers, "health" | "openapi" | "metrics"> {
  let openapi: OpenApiDocument | undefined;
  return {
    health: async ({ c }) => c.json({ status: "ok", contract_version: CONTRACT_VERSION }, 200),
    openapi: async ({ c }) => {
      openapi ??= buildOpenApiDocument();
      return c.json(openapi, 200);
    },
    metrics: async ({ c }) => {
      const text = renderPrometheusText(await deps.store.metrics(), {
        requests: deps.stats.snapshot(),
        inFlight: deps.inFlight.active,
        longPolls: deps.longPolls.active,
      });
      return c.body(text, 200, { "content-type": PROMETHEUS_CONTENT_TYPE });
    },
  };
}
