import type { PhaseContext } from "../context/phase-context.js";
import { mapInLanes } from "../internal/map-in-lanes.js";
import type { Lakehouse, SessionViewRef, TableContentHash } from "../ports/lakehouse.js";
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
  const hashOptions = { excludeColumns: BRONZE_AUDIT_COLUMNS };
  let done = 0;
  const written = await lake.session(
    views,
    // The models of a layer read only the layer below (the session's views), never each
    // other, so they are written a few at once: one query leaves a core idle while it
    // plans, writes its single Parquet file and commits, and a second fills it. Each
    // write fingerprints its files while it commits them when the lakehouse can; else
    // the lane hashes the version on the session's engine, when the session can, before
    // it takes the next model. The first failure stops the others (mapInLanes).
    (session) =>
      mapInLanes(models, layout.modelConcurrency, ctx.signal, async (model, signal) => {
        const location = tableLocation(layout, layer, model.name);
        const result = await session.writeQuery(location, model.sql, {
          mode: "overwrite",
          provenance,
          partitionColumns: [...(model.partitionColumns ?? [])],
          contentHash: hashOptions,
          signal,
        });
        if (result.version === undefined) {
          throw new Error(`${layer} table ${model.name}: the overwrite committed no version`);
        }
        done += 1;
        ctx.progress(done / (models.length + 1), `${layer}.${model.name}: ${result.rowCount} rows`);
        const ref = { location, version: result.version };
        const hash =
          result.contentHash ?? (await session.contentHash?.(ref, { ...hashOptions, signal }));
        return { version: result.version, hash };
      }),
    // Every target is known now: the lakehouse can read their logs while it opens. And
    // the lanes that will run at once, which it can leave their cores to.
    {
      signal: ctx.signal,
      writes: models.map((model) => tableLocation(layout, layer, model.name)),
      concurrency: Math.max(1, Math.min(layout.modelConcurrency, models.length)),
    },
  );

  // A session that cannot hash leaves it to the lakehouse, a table per lane.
  const hashes = await mapInLanes(
    models,
    layout.modelConcurrency,
    ctx.signal,
    (model, signal, index) => {
      const { version, hash } = written[index] as (typeof written)[number];
      return hash !== undefined
        ? Promise.resolve(hash)
        : lake.contentHash(
            { location: tableLocation(layout, layer, model.name), version },
            { ...hashOptions, signal },
          );
    },
  );
  const tables: ModelOutput["tables"] = {};
  for (const [index, model] of models.entries()) {
    const location = tableLocation(layout, layer, model.name);
    const version = (written[index] as (typeof written)[number]).version;
    const hash = hashes[index] as TableContentHash;
    tables[model.name] = {
      location,
      version,
      rows: hash.rowCount,
      sha256: hash.sha256,
      ...(hash.format === undefined ? {} : { hash_format: hash.format }),
    };
    ctx.manifest.declare(`${layer}.${model.name}`, {
      kind: "table",
      format: lake.format,
      sha256: hash.sha256,
      // How the hash was computed (format and engine version): the manifest says how
      // to reproduce it. Absent when the lakehouse does not say.
      hash_format: hash.format,
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
