import { z } from "zod";
import { ENDPOINTS, type EndpointDefinition } from "./endpoints.js";
import { contractRegistry } from "./registry.js";

/**
 * A standalone JSON Schema (draft 2020-12, everything inlined) for each request body
 * of the contract, keyed by the schema's id, e.g. `CreateRunRequest`. Useful to
 * validate payloads in another language or hand them to a form builder.
 */
export function requestBodyJsonSchemas(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const endpoint of Object.values(ENDPOINTS) as EndpointDefinition[]) {
    if (!endpoint.body) continue;
    const id = contractRegistry.get(endpoint.body)?.id;
    if (!id) throw new Error(`request body of ${endpoint.path} has no schema id`);
    out[id] = {
      $id: `https://controlroom.dev/schemas/v1/${id}.json`,
      ...(z.toJSONSchema(endpoint.body, { target: "draft-2020-12", io: "input" }) as Record<
        string,
        unknown
      >),
    };
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
