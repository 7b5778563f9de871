import type { EndpointHandlers } from "../endpoint-handler.js";
import type { HandlerDeps } from "./handler-deps.js";

/**
 * Handlers of the artifact endpoints: register (201 new, 200 already known) and get.
 *
 * @example
 * ```ts
 * const handlers = { ...artifactHandlers(deps) };
 * ```
 */
export function artifactHandlers(
  deps: HandlerDeps,
): Pick<EndpointHandlers, "registerArtifact" | "getArtifact"> {
  const { store } = deps;
  return {
    registerArtifact: async ({ c, claims, body }) => {
      const { artifact, created } = await store.registerArtifact(claims, body);
      c.header("location", `/ops/artifacts/${artifact.sha256}`);
      return c.json(artifact, created ? 201 : 200);
    },
    getArtifact: async ({ c, claims, params }) =>
      c.json(await store.getArtifact(claims, params.sha256), 200),
  };
}
