import type { PhaseContext } from "../context/phase-context.js";
import { quoteSqlIdentifier } from "./current-view-sql.js";
import { toJsonRow } from "./json-row.js";
import { lakehouseOf } from "./medallion-adapters.js";
import type { MedallionConfig } from "./medallion-config.js";
import type { MedallionLayout } from "./medallion-layout.js";
import { ModelOutput, upstreamOutput } from "./medallion-outputs.js";

/** One published gold table, as publish reports it. */
export interface PublishedTable {
  location: string;
  uri: string;
  version: number;
  rows: number;
  sha256: string;
}

/**
 * Publish: for each gold table, three artifacts linked to the run — the query text,
 * a result manifest (schema, row count, content hash, the table version) and a preview
 * of the first rows in a stable order — and an entry in the output manifest naming the
 * table version and its content hash.
 */
export async function runPublish(
  config: MedallionConfig,
  layout: MedallionLayout,
  ctx: PhaseContext,
): Promise<{ tables: Record<string, PublishedTable> }> {
  const lake = lakehouseOf(config, ctx);
  const gold = upstreamOutput(ctx.upstream, "gold", ModelOutput);
  const tables: Record<string, PublishedTable> = {};
  for (const [index, model] of layout.gold.entries()) {
    const table = gold.tables[model.name];
    if (!table) throw new Error(`gold did not report table ${model.name}`);
    const ref = { location: table.location, version: table.version };
    const snapshot = await lake.snapshot(ref, { signal: ctx.signal });
    if (!snapshot) throw new Error(`gold table ${model.name} version ${table.version} is gone`);
    const columns = snapshot.schema.fields.map((f) => ({
      name: f.name,
      type: f.type,
      nullable: f.nullable,
    }));
    const preview = await lake.session(
      { [model.name]: ref },
      async ({ engine }) => {
        // Every column in the sort, so the preview is the same rows on every rebuild.
        const order = columns.map((_, i) => String(i + 1)).join(", ");
        const result = await engine.query(
          `SELECT * FROM ${quoteSqlIdentifier(model.name)} ORDER BY ${order} LIMIT ${layout.previewRows}`,
          { signal: ctx.signal },
        );
        return result.rows.map(toJsonRow);
      },
      { signal: ctx.signal },
    );
    const query = await ctx.artifacts.put(
      `gold/${model.name}/query.sql`,
      `${model.sql.trim()}\n`,
      "application/sql",
    );
    const resultManifest = {
      table: model.name,
      description: model.description ?? null,
      format: lake.format,
      location: table.location,
      version: table.version,
      row_count: table.rows,
      content_sha256: table.sha256,
      query_sha256: query.sha256,
      schema: columns,
    };
    await ctx.artifacts.put(
      `gold/${model.name}/result-manifest.json`,
      `${JSON.stringify(resultManifest, null, 2)}\n`,
      "application/json",
    );
    await ctx.artifacts.put(
      `gold/${model.name}/preview.json`,
      `${JSON.stringify({ columns, rows: preview, total_rows: table.rows }, null, 2)}\n`,
      "application/json",
      { metadata: { rows: preview.length, table: model.name } },
    );
    ctx.manifest.declare(`gold.${model.name}`, {
      kind: "table",
      format: lake.format,
      sha256: table.sha256,
      location: table.location,
      version: table.version,
      rows: table.rows,
      query_sha256: query.sha256,
    });
    tables[model.name] = { ...table, uri: lake.uri(table.location) };
    ctx.progress((index + 1) / layout.gold.length, `published ${model.name}`);
  }
  return { tables };
}
