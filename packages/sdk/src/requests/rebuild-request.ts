import type { CreateRunRequest, PhaseSpecInput, Run } from "@controlroom/contract";
import type { CallOptions } from "../client-options.js";
import type { ControlRoomClient } from "../control-room-client.js";
import { ControlRoomError } from "../errors/control-room-error.js";
import { pinnedInputs, type RecordedTable, recordedTables } from "./recorded-tables.js";

/** The spec slug of rebuild runs. */
export const REBUILD_SPEC_SLUG = "controlroom/rebuild";
/** The name of the phase that compares a rebuild with the original. */
export const REBUILD_VERIFY_PHASE = "verify";

/**
 * The capability rebuild phases require, from the original's: `<capability>-rebuild`.
 * Only a worker serving the rebuild variant of the executor (`rebuildVariant()`)
 * declares it, so normal workers never claim a rebuild's phases.
 *
 * @example
 * ```ts
 * rebuildCapability("odoo-finance"); // "odoo-finance-rebuild"
 * ```
 */
export function rebuildCapability(capability: string): string {
  return `${capability}-rebuild`;
}

/** The params of a rebuild's `verify` phase. */
export interface RebuildVerifyParams {
  /** The run rebuilt. */
  rebuild_of_run: string;
  /** What it recorded: every `silver.*` and `gold.*` output with its version and hash. */
  outputs: RecordedTable[];
}

/** Options of {@link rebuildRunRequest} and {@link requestRebuild}. */
export interface RebuildRequestOptions {
  /** Extra labels. @default {} */
  labels?: Record<string, string> | undefined;
}

/**
 * The create-run body of a rebuild of `target`: spec `controlroom/rebuild`, the same
 * git sha and environment, `target`'s phases except ingest (same names, kinds, params,
 * timeouts and retry policies; each capability `c` becomes `c-rebuild`), the phases
 * that read ingest's tables given the pinned input versions as `params.inputs`, and a
 * last phase `verify` that compares every recorded output hash with the stored table
 * version's and the rebuilt one's. The input manifest names the run and its inputs.
 *
 * @throws ControlRoomError (`validation_failed`) when `target` has not succeeded or
 * recorded no inputs or outputs to rebuild.
 * @example
 * ```ts
 * await client.runs.create(rebuildRunRequest(await client.runs.get(runId)));
 * ```
 */
export function rebuildRunRequest(
  target: Run,
  options: RebuildRequestOptions = {},
): CreateRunRequest {
  const outputs = recordedTables(target);
  const inputs = pinnedInputs(target);
  if (outputs.length === 0 || Object.keys(inputs).length === 0) {
    throw new ControlRoomError(
      "validation_failed",
      `run ${target.run_id} recorded no ${outputs.length === 0 ? "silver or gold outputs" : "pinned inputs"}: nothing to rebuild`,
    );
  }
  const ingest = new Set(target.phases.filter((p) => p.kind === "ingest").map((p) => p.name));
  const kept = target.phases.filter((p) => !ingest.has(p.name));
  if (kept.some((p) => p.name === REBUILD_VERIFY_PHASE)) {
    throw new ControlRoomError(
      "validation_failed",
      `run ${target.run_id} has a phase named "${REBUILD_VERIFY_PHASE}", which a rebuild adds`,
    );
  }
  const capabilities = new Set<string>();
  const phases: PhaseSpecInput[] = kept.map((p) => {
    const readsIngest = p.depends_on.some((name) => ingest.has(name));
    const requires = p.requires.map(rebuildCapability);
    for (const capability of requires) capabilities.add(capability);
    return {
      name: p.name,
      kind: p.kind,
      depends_on: p.depends_on.filter((name) => !ingest.has(name)),
      timeout_seconds: p.timeout_seconds,
      retry: p.retry,
      requires,
      params: readsIngest ? { ...p.params, inputs: { ...inputs } } : { ...p.params },
    };
  });
  const verify: RebuildVerifyParams = { rebuild_of_run: target.run_id, outputs };
  phases.push({
    name: REBUILD_VERIFY_PHASE,
    kind: "custom",
    // Every phase before it: its upstream then holds each rebuilt table.
    depends_on: kept.map((p) => p.name),
    requires: [...capabilities],
    timeout_seconds: 3_600,
    params: { ...verify },
  });
  return {
    spec_slug: REBUILD_SPEC_SLUG,
    git_sha: target.git_sha,
    environment: target.environment,
    phases,
    input_manifest: {
      rebuild_of_run: target.run_id,
      rebuild_of_spec: target.spec_slug,
      inputs: { ...inputs },
      outputs: outputs.map(({ name, location, version, sha256 }) => ({
        name,
        location,
        version,
        sha256,
      })),
    },
    labels: { ...options.labels, rebuild_of_run: target.run_id },
  };
}

/**
 * Requests a rebuild: reads the target run and creates the rebuild run (see
 * {@link rebuildRunRequest}). A worker serving the rebuild variant of the target's
 * executor (`rebuildVariant(executor)`) executes it; the run fails when any output
 * does not match, with a `REBUILD_OUTPUT_COMPARED` event per output.
 *
 * @example
 * ```ts
 * const run = await requestRebuild(client, { run_id: runId });
 * ```
 */
export async function requestRebuild(
  client: ControlRoomClient,
  options: RebuildRequestOptions & { run_id: string; idempotency_key?: string | undefined },
  call: CallOptions = {},
): Promise<Run> {
  const target = await client.runs.get(options.run_id, call);
  return client.runs.create(rebuildRunRequest(target, options), {
    ...call,
    idempotencyKey: options.idempotency_key,
  });
}
