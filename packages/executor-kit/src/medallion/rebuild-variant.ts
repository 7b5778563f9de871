import { rebuildCapability } from "@controlroom/sdk";
import type { PhaseContext } from "../context/phase-context.js";
import { defineExecutor, type ExecutorDefinition } from "../definition/define-executor.js";
import { type AnyPhaseDefinition, type PhaseDefinition, phase } from "../definition/phase.js";
import type { MedallionExecutor } from "./define-medallion-executor.js";
import { lakehouseOf } from "./medallion-adapters.js";
import type { MedallionConfig } from "./medallion-config.js";
import { type MedallionLayout, resolveMedallionLayout } from "./medallion-layout.js";
import { runGold, runSilver } from "./model-phase.js";
import { runPublish } from "./publish-phase.js";
import { runValidate } from "./validate-phase.js";
import {
  runVerifyRebuild,
  VerifyRebuildOutput,
  VerifyRebuildParams,
} from "./verify-rebuild-phase.js";

/** Options of {@link rebuildVariant}. */
export interface RebuildVariantOptions {
  /**
   * Where rebuilt tables go: `<scratchPrefix>/rebuild-<run id>/<original location>`, so
   * a rebuild never touches the tables it checks.
   * @default "scratch"
   */
  scratchPrefix?: string | undefined;
  /**
   * The capability every phase requires; only workers serving this variant declare it.
   * @default `<the executor's capability>-rebuild` (`rebuildCapability()` of `@controlroom/sdk`)
   */
  capability?: string | undefined;
}

/** The phases of a rebuild: the pipeline's after ingest, then `verify`. */
export type RebuildExecutor = ExecutorDefinition<
  Record<"validate" | "silver" | "gold" | "publish", AnyPhaseDefinition> & {
    verify: PhaseDefinition<typeof VerifyRebuildParams, typeof VerifyRebuildOutput>;
  }
> & { readonly medallion: MedallionConfig };

/**
 * The rebuild variant of a medallion executor: validate → silver → gold → publish as
 * the pipeline runs them, but validate reads the bronze versions pinned in its
 * `params.inputs` (time travel; there is no ingest), silver and gold write under
 * `<scratchPrefix>/rebuild-<run id>/`, every phase requires a capability of its own
 * (`<capability>-rebuild`, so normal workers never claim them), and a last phase
 * `verify` compares each output the original run recorded with the stored original
 * version and the rebuild (`REBUILD_OUTPUT_COMPARED` events; any mismatch fails it).
 * Create its runs with `requestRebuild()` / `rebuildRunRequest()` from `@controlroom/sdk`.
 *
 * @example
 * ```ts
 * const rebuild = rebuildVariant(executor);
 * await runWorker(rebuild, { client, adapters: { lakehouse }, artifactStore: store });
 * ```
 */
export function rebuildVariant(
  pipeline: MedallionExecutor | MedallionConfig,
  options: RebuildVariantOptions = {},
): RebuildExecutor {
  const config = "medallion" in pipeline ? pipeline.medallion : pipeline;
  const layout = resolveMedallionLayout(config);
  const capability = options.capability ?? rebuildCapability(layout.capability);
  const scratch = (options.scratchPrefix ?? "scratch").replace(/\/+$/, "");
  // The tables of this run go to a directory of its own, known only once a phase runs.
  const layoutOf = (ctx: PhaseContext): MedallionLayout => {
    const root = `${scratch}/rebuild-${ctx.run_id}`;
    return {
      ...layout,
      locations: {
        bronze: layout.locations.bronze,
        silver: `${root}/${layout.locations.silver}`,
        gold: `${root}/${layout.locations.gold}`,
      },
    };
  };
  const common = { requires: [capability], timeoutMs: layout.timeoutMs };
  const executor = defineExecutor({
    id: `${layout.id}-rebuild`,
    version: layout.version,
    capabilities: [capability],
    phases: {
      validate: phase({
        ...common,
        kind: "validate",
        run: (ctx) => runValidate(config, layoutOf(ctx), ctx),
      }),
      silver: phase({
        ...common,
        kind: "transform",
        run: (ctx) => runSilver(config, layoutOf(ctx), ctx),
      }),
      gold: phase({
        ...common,
        kind: "transform",
        run: (ctx) => runGold(config, layoutOf(ctx), ctx),
      }),
      publish: phase({
        ...common,
        kind: "publish",
        run: (ctx) => runPublish(config, layoutOf(ctx), ctx),
      }),
      verify: phase({
        ...common,
        kind: "custom",
        input: VerifyRebuildParams,
        output: VerifyRebuildOutput,
        run: (ctx) => runVerifyRebuild(lakehouseOf(config, ctx), ctx),
      }),
    },
  });
  return Object.freeze({ ...executor, medallion: config });
}
