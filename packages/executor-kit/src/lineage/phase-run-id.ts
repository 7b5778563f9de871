import { uuidV5 } from "../internal/uuid-v5.js";

/**
 * The OpenLineage `runId` of one attempt of one phase: a name-based UUID (version 5,
 * RFC 9562) of `<phase>/<attempt>` in the namespace of the Control Room run's id. The
 * same attempt always gets the same id, so its START and COMPLETE pair up even when
 * they come from different processes, and anyone who knows the run, the phase and the
 * attempt can compute it.
 *
 * @example
 * ```ts
 * phaseRunId("0196f5c4-7a1e-7c3d-9b2a-4e8f1d2c3b4a", "gold", 1); // "…-5…-…"
 * ```
 */
export function phaseRunId(runId: string, phase: string, attempt: number): string {
  return uuidV5(`${phase}/${attempt}`, runId);
}
