import type { PhaseContext } from "../context/phase-context.js";
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
  const hashOptions = { excludeColumns: BRONZE_AUDIT_COLUMNS, signal: ctx.signal };
  const written = await lake.session(
    views,
    async (session) => {
      const versions: Record<string, number> = {};
      // Sessions that can hash fingerprint each table while the next one is written,
      // one hash at a time, on the engine the session already has.
      const hashes: Promise<TableContentHash>[] = [];
      let previous: Promise<unknown> = Promise.resolve();
      try {
        for (const [index, model] of models.entries()) {
          const location = tableLocation(layout, layer, model.name);
          const result = await session.writeQuery(location, model.sql, {
            mode: "overwrite",
            provenance,
            partitionColumns: [...(model.partitionColumns ?? [])],
            signal: ctx.signal,
          });
          if (result.version === undefined) {
            throw new Error(`${layer} table ${model.name}: the overwrite committed no version`);
          }
          versions[model.name] = result.version;
          const ref = { location, version: result.version };
          if (session.contentHash !== undefined) {
            const hashInSession = session.contentHash.bind(session);
            const hash = previous.then(() => hashInSession(ref, hashOptions));
            // Handled here so a failure does not go unhandled while later writes run;
            // Promise.all below still rejects with it.
            previous = hash.catch(() => undefined);
            hashes.push(hash);
          }
          ctx.progress(
            (index + 1) / (models.length + 1),
            `${layer}.${model.name}: ${result.rowCount} rows`,
          );
        }
        return { versions, hashes: await Promise.all(hashes) };
      } finally {
        // The session's engine closes after this: no hash may still be reading it.
        await Promise.allSettled(hashes);
      }
    },
    // Every target is known now: the lakehouse can read their logs while it opens.
    {
      signal: ctx.signal,
      writes: models.map((model) => tableLocation(layout, layer, model.name)),
    },
  );

  // Otherwise two tables at a time: hashing a table of one Parquet row group keeps one
  // DuckDB thread busy, so a second one uses the other core of a small machine.
  const hashes =
    written.hashes.length === models.length
      ? written.hashes
      : await mapWithConcurrency(models, HASH_CONCURRENCY, (model) =>
          lake.contentHash(
            {
              location: tableLocation(layout, layer, model.name),
              version: written.versions[model.name] as number,
            },
            hashOptions,
          ),
        );
  const tables: ModelOutput["tables"] = {};
  for (const [index, model] of models.entries()) {
    const location = tableLocation(layout, layer, model.name);
    const version = written.versions[model.name] as number;
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

const HASH_CONCURRENCY = 2;

// `work` over `items` with at most `limit` calls at once; results in the items' order.
// The first failure rejects (calls already running finish on their own).
async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
