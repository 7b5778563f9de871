import type { PhaseSpecInput } from "@controlroom/contract";
import { buildPhaseSpec } from "../definition/build-phase-spec.js";
import { defineExecutor, type ExecutorDefinition } from "../definition/define-executor.js";
import { type AnyPhaseDefinition, phase } from "../definition/phase.js";
import { runIngest } from "./ingest-phase.js";
import type { MedallionConfig } from "./medallion-config.js";
import { resolveMedallionLayout } from "./medallion-layout.js";
import { withMedallionLineage } from "./medallion-lineage.js";
import { runGold, runSilver } from "./model-phase.js";
import { runPublish } from "./publish-phase.js";
import { runValidate } from "./validate-phase.js";

/** The phases of a medallion pipeline, in the order they run. */
export const MEDALLION_PHASES = ["ingest", "validate", "silver", "gold", "publish"] as const;
export type MedallionPhaseName = (typeof MEDALLION_PHASES)[number];

/** A medallion executor: an executor with the five phases, and its resolved configuration. */
export type MedallionExecutor = ExecutorDefinition<
  Record<MedallionPhaseName, AnyPhaseDefinition>
> & {
  readonly medallion: MedallionConfig;
};

/**
 * A pipeline as one executor with five phases — ingest (source → bronze, incremental),
 * validate (schema contracts and row checks), silver (typed, de-duplicated), gold
 * (marts) and publish (artifacts and the output manifest) — over any {@link Lakehouse}
 * and {@link MedallionSource}. Each phase reads exactly the table versions its upstream
 * phase reported and declares what it wrote by content hash, so the same inputs and
 * git sha give the same output manifest.
 *
 * @example
 * ```ts
 * const executor = defineMedallionExecutor({
 *   id: "shop",
 *   version: "1.0.0",
 *   streams: [{ name: "orders", primaryKey: ["id"], cursorFields: ["write_date", "id"] }],
 *   silver: [{ name: "orders", sql: "SELECT id, CAST(amount AS DECIMAL(18,2)) AS amount FROM current_orders" }],
 *   gold: [{ name: "totals", sql: "SELECT sum(amount) AS total FROM silver_orders" }],
 * });
 * await runWorker(executor, { client, adapters: { lakehouse, source }, artifactStore: store });
 * ```
 */
export function defineMedallionExecutor(config: MedallionConfig): MedallionExecutor {
  const layout = resolveMedallionLayout(config);
  const common = {
    requires: [layout.capability],
    timeoutMs: layout.timeoutMs,
  };
  const executor = defineExecutor({
    id: layout.id,
    version: layout.version,
    capabilities: [layout.capability],
    // Each phase also reports the table versions it read and wrote to ctx.lineage.
    phases: withMedallionLineage(config, layout, {
      ingest: phase({ ...common, kind: "ingest", run: (ctx) => runIngest(config, layout, ctx) }),
      validate: phase({
        ...common,
        kind: "validate",
        // A failed check is not retried: the same data fails the same way.
        run: (ctx) => runValidate(config, layout, ctx),
      }),
      silver: phase({ ...common, kind: "transform", run: (ctx) => runSilver(config, layout, ctx) }),
      gold: phase({ ...common, kind: "transform", run: (ctx) => runGold(config, layout, ctx) }),
      publish: phase({ ...common, kind: "publish", run: (ctx) => runPublish(config, layout, ctx) }),
    }),
  });
  return Object.freeze({ ...executor, medallion: config });
}

/**
 * The run spec's phases for a medallion executor: each phase depends on the one
 * before it. Pass them to `client.runs.create({ phases, … })`.
 *
 * @example
 * ```ts
 * await client.runs.create({ spec_slug: "shop", git_sha, environment: "dev", phases: medallionPhases(executor), input_manifest: {} });
 * ```
 */
export function medallionPhases(executor: MedallionExecutor): PhaseSpecInput[] {
  return MEDALLION_PHASES.map((name, index) =>
    buildPhaseSpec(
      executor,
      name,
      index === 0 ? {} : { depends_on: [MEDALLION_PHASES[index - 1] as string] },
    ),
  );
}
