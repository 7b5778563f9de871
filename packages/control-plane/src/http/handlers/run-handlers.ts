import { ControlPlaneError } from "../../control-plane-error.js";
import type { EndpointHandlers } from "../endpoint-handler.js";
import type { HandlerDeps } from "./handler-deps.js";

// Printable ASCII without spaces, as the OpenAPI document's 1–255 characters allow.
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * Handlers of the run endpoints: create (idempotent under `Idempotency-Key`), list,
 * get and cancel.
 *
 * @example
 * ```ts
 * const handlers = { ...runHandlers(deps), ...leaseHandlers(deps) };
 * ```
 */
export function runHandlers(
  deps: HandlerDeps,
): Pick<EndpointHandlers, "createRun" | "listRuns" | "getRun" | "cancelRun"> {
  const { store } = deps;
  return {
    createRun: async ({ c, claims, body }) => {
      const key = idempotencyKey(c.req.header("idempotency-key"));
      const { run, created } = await store.createRun(claims, body, key);
      c.header("location", `/ops/runs/${run.run_id}`);
      return c.json(run, created ? 201 : 200);
    },
    listRuns: async ({ c, claims, query }) => c.json(await store.listRuns(claims, query), 200),
    getRun: async ({ c, claims, params }) => c.json(await store.getRun(claims, params.run_id), 200),
    cancelRun: async ({ c, claims, params, body }) =>
      c.json(await store.cancel(claims, params.run_id, body.reason), 200),
  };
}

function idempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (IDEMPOTENCY_KEY.test(header)) return header;
  throw new ControlPlaneError(
    "validation_failed",
    "Idempotency-Key must be 1–255 printable ASCII characters without spaces",
    { issues: [{ path: "header.Idempotency-Key", message: "1–255 printable ASCII characters" }] },
  );
}
