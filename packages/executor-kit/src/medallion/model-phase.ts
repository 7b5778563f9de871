import type { PhaseContext } from "../context/phase-context.js";
import type { Lakehouse, SessionViewRef } from "../ports/lakehouse.js";
import { bronzeViews } from "./bronze-views.js";
import { lakehouseOf } from "./medallion-adapters.js";
import type { MedallionConfig, MedallionModel } from "./medallion-config.js";
import { BRONZE_AUDIT_COLUMNS, type MedallionLayout, tableLocation } from "./medallion-layout.js";
import {
  type ModelOutput,
  ModelOutput as ModelOutputSchema,
  upstreamOutput,
  ValidateOutput,
} from "./medallion-outputs.js";

/**
 * Silver: each silver model's SQL over the bronze versions validate checked
 * (`bronze_<stream>`, `current_<stream>`), written as the table's next version
 * (overwrite), then fingerprinted.
 */
export async function runSilver(
  config: MedallionConfig,
  layout: MedallionLayout,
  ctx: PhaseContext,
): Promise<ModelOutput> {
  const lake = lakehouseOf(config, ctx);
  const validated = upstreamOutput(ctx.upstream, "validate", ValidateOutput);
  const { views } = await bronzeViews(lake, layout, validated.inputs, ctx.signal);
  return writeModels(lake, layout, ctx, "silver", layout.silver, views, validated.inputs);
}

/** Gold: each gold model's SQL over the silver versions silver wrote (`silver_<name>`). */
export async function runGold(
  config: MedallionConfig,
  layout: MedallionLayout,
  ctx: PhaseContext,
): Promise<ModelOutput> {
  const lake = lakehouseOf(config, ctx);
  const silver = upstreamOutput(ctx.upstream, "silver", ModelOutputSchema);
  const inputs = Object.fromEntries(
    Object.entries(silver.tables).map(([name, table]) => [
      `silver_${name}`,
      { location: table.location, version: table.version },
    ]),
  );
  return writeModels(lake, layout, ctx, "gold", layout.gold, inputs, inputs);
}

async function writeModels(
  lake: Lakehouse,
  layout: MedallionLayout,
  ctx: PhaseContext,
  layer: "silver" | "gold",
  models: readonly MedallionModel[],
  views: Record<string, SessionViewRef>,
  inputs: ModelOutput["inputs"],
): Promise<ModelOutput> {
  const provenance = {
    run_id: ctx.run_id,
    phase: ctx.phase,
    git_sha: ctx.git_sha,
    attempt: ctx.attempt,
  };
  const written = await lake.session(
    views,
    async (session) => {
      const versions: Record<string, number> = {};
      for (const [index, model] of models.entries()) {
        const result = await session.writeQuery(
          tableLocation(layout, layer, model.name),
          model.sql,
          {
            mode: "overwrite",
            provenance,
            partitionColumns: [...(model.partitionColumns ?? [])],
            signal: ctx.signal,
          },
        );
        if (result.version === undefined) {
          throw new Error(`${layer} table ${model.name}: the overwrite committed no version`);
        }
        versions[model.name] = result.version;
        ctx.progress(
          (index + 1) / (models.length + 1),
          `${layer}.${model.name}: ${result.rowCount} rows`,
        );
      }
      return versions;
    },
    { signal: ctx.signal },
  );

  const tables: ModelOutput["tables"] = {};
  for (const model of models) {
    const location = tableLocation(layout, layer, model.name);
    const version = written[model.name] as number;
    const hash = await lake.contentHash(
      { location, version },
      { excludeColumns: BRONZE_AUDIT_COLUMNS, signal: ctx.signal },
    );
    tables[model.name] = { location, version, rows: hash.rowCount, sha256: hash.sha256 };
    ctx.manifest.declare(`${layer}.${model.name}`, {
      kind: "table",
      format: lake.format,
      sha256: hash.sha256,
      location,
      version,
      rows: hash.rowCount,
      // The versions it was computed from: a rebuild reads exactly these.
      inputs,
    });
  }
  ctx.progress(1, `${layer}: ${models.length} tables written`);
  return { inputs, tables };
}
