import type { JsonObject } from "@controlroom/contract";
import type { PhaseContext } from "../context/phase-context.js";
import { createRowSetHash, type RowSetDigest } from "../hashing/row-set-hash.js";
import type { Lakehouse } from "../ports/lakehouse.js";
import type { SqlRow } from "../ports/sql-engine.js";
import type { TableField, TableHistoryEntry } from "../ports/table-format.js";
import { lakehouseOf, sourceOf } from "./medallion-adapters.js";
import type { MedallionConfig, MedallionSource, MedallionStream } from "./medallion-config.js";
import {
  BRONZE_AUDIT_COLUMNS,
  type MedallionLayout,
  tableLocation,
  VOLATILE_AUDIT_COLUMNS,
} from "./medallion-layout.js";
import type { IngestOutput } from "./medallion-outputs.js";
import { compareColumns, driftActions, withoutColumns } from "./schema-drift.js";

const AUDIT_FIELDS: TableField[] = [
  { name: "_ingested_at", type: "timestamp", nullable: false },
  { name: "_cursor", type: "string", nullable: false },
  { name: "_run_id", type: "string", nullable: false },
];

/**
 * Ingest: for each stream, reads the source after the cursor the last ingest committed
 * (kept in the bronze table's commit info, so the table's own log says where it is),
 * up to the high-water mark pinned now, and appends the rows to bronze in one commit
 * with `_ingested_at`, `_cursor` and `_run_id`. Drift between the source's columns and
 * bronze's is reported, and per policy stops that stream (validate then fails).
 * Freshness is reported as a `SOURCE_FRESHNESS` event.
 */
export async function runIngest(
  config: MedallionConfig,
  layout: MedallionLayout,
  ctx: PhaseContext,
): Promise<IngestOutput> {
  const lake = lakehouseOf(config, ctx);
  const source = sourceOf(config, ctx);
  const ingestedAt = new Date();
  const streams: IngestOutput["streams"] = {};
  let done = 0;
  for (const stream of layout.streams) {
    ctx.signal.throwIfAborted();
    await reportFreshness(source, stream.name, layout, ctx);
    streams[stream.name] = await ingestStream(lake, source, stream, layout, ctx, ingestedAt);
    done += 1;
    const { rows, status } = streams[stream.name] ?? { rows: 0, status: "unchanged" };
    ctx.progress(done / layout.streams.length, `${stream.name}: ${rows} rows (${status})`);
  }
  return { streams };
}

async function ingestStream(
  lake: Lakehouse,
  source: MedallionSource,
  stream: MedallionStream,
  layout: MedallionLayout,
  ctx: PhaseContext,
  ingestedAt: Date,
): Promise<IngestOutput["streams"][string]> {
  const location = tableLocation(layout, "bronze", stream.name);
  const signal = ctx.signal;
  const [sourceSchema, bronze] = await Promise.all([
    source.tableSchema(stream.name, { signal }),
    lake.snapshot({ location }, { signal }),
  ]);
  const bronzeColumns = bronze
    ? withoutColumns(bronze.schema, BRONZE_AUDIT_COLUMNS)
    : sourceSchema.fields;
  const drift = bronze
    ? driftActions(compareColumns(bronzeColumns, sourceSchema.fields), layout.drift)
    : [];
  for (const entry of drift.filter((d) => d.action !== "ignore")) {
    ctx.emit("SCHEMA_DRIFT", {
      level: entry.action === "fail" ? "error" : "warn",
      message: `${stream.name}: ${entry.columns.length} column(s) ${entry.kind}: ${entry.columns.join(", ")}`,
      payload: {
        stream: stream.name,
        kind: entry.kind,
        action: entry.action,
        columns: entry.columns,
      },
    });
  }
  const previousCursor = bronze ? await lastIngestCursor(lake, location, signal) : undefined;
  const base = {
    location,
    version: bronze?.version ?? null,
    previous_cursor: previousCursor ?? null,
    drift,
  };
  if (drift.some((d) => d.action === "fail")) {
    return { ...base, rows: 0, cursor: previousCursor ?? null, status: "drift" };
  }
  const until = await source.highWaterMark(stream.name, { signal });
  if (until === undefined || sameCursor(until, previousCursor)) {
    // Still part of the record: later phases read this version.
    if (bronze) {
      ctx.manifest.declare(`bronze.${stream.name}`, {
        kind: "table",
        format: lake.format,
        ...hashOf(createRowSetHash().digest()),
        location,
        version: bronze.version,
        rows: 0,
        previous_cursor: previousCursor ?? null,
        cursor: previousCursor ?? null,
      });
    }
    return { ...base, rows: 0, cursor: previousCursor ?? null, status: "unchanged" };
  }

  // Bronze keeps its columns: one the source added is left out (and reported above).
  const columns = bronzeColumns.map((field) => field.name);
  const hash = createRowSetHash({ exclude: VOLATILE_AUDIT_COLUMNS });
  const batches = async function* (): AsyncGenerator<SqlRow[]> {
    for await (const batch of source.read(stream.name, {
      after: previousCursor,
      until,
      batchSize: layout.batchSize,
      signal,
    })) {
      const rows = batch.rows.map((row) => bronzeRow(row, columns, stream, ctx.run_id, ingestedAt));
      hash.update(rows);
      yield rows;
    }
  };
  const written = await lake.appendRows(location, batches(), {
    schema: { fields: [...bronzeColumns, ...AUDIT_FIELDS] },
    provenance: {
      run_id: ctx.run_id,
      phase: ctx.phase,
      git_sha: ctx.git_sha,
      attempt: ctx.attempt,
      source: source.name,
      source_cursor: until,
    },
    signal,
  });
  const digest = hash.digest();
  const version = written.version ?? bronze?.version ?? null;
  if (version !== null) {
    ctx.manifest.declare(`bronze.${stream.name}`, {
      kind: "table",
      format: lake.format,
      ...hashOf(digest),
      location,
      version,
      rows: written.rowCount,
      // The source range read: (previous_cursor, cursor]. With the version, the record
      // alone says which rows this run ingested.
      previous_cursor: previousCursor ?? null,
      cursor: until,
    });
  }
  ctx.log.info("ingested", { stream: stream.name, rows: written.rowCount, version });
  return {
    ...base,
    version,
    rows: written.rowCount,
    cursor: until,
    status: written.rowCount > 0 ? "ingested" : "unchanged",
  };
}

function bronzeRow(
  row: Record<string, unknown>,
  columns: readonly string[],
  stream: MedallionStream,
  runId: string,
  ingestedAt: Date,
): SqlRow {
  const out: SqlRow = {};
  for (const column of columns) out[column] = row[column] ?? null;
  out._ingested_at = ingestedAt;
  out._cursor = JSON.stringify(stream.cursorFields.map((field) => row[field] ?? null));
  out._run_id = runId;
  return out;
}

/** The source cursor of the newest ingest commit of a bronze table. */
async function lastIngestCursor(
  lake: Lakehouse,
  location: string,
  signal: AbortSignal,
): Promise<JsonObject | undefined> {
  const history: TableHistoryEntry[] = await lake.history(location, { signal });
  for (const entry of history) {
    const cursor = entry.provenance?.source_cursor;
    if (cursor !== null && typeof cursor === "object" && !Array.isArray(cursor)) {
      return cursor as JsonObject;
    }
  }
  return undefined;
}

async function reportFreshness(
  source: MedallionSource,
  stream: string,
  layout: MedallionLayout,
  ctx: PhaseContext,
): Promise<void> {
  if (!source.freshness) return;
  const freshness = await source.freshness(stream, { signal: ctx.signal });
  const late =
    layout.freshnessWarnAfterMs !== undefined &&
    freshness.lagMs !== null &&
    freshness.lagMs > layout.freshnessWarnAfterMs;
  ctx.emit("SOURCE_FRESHNESS", {
    level: late ? "warn" : "info",
    message:
      freshness.lagMs === null
        ? `${stream}: empty`
        : `${stream}: ${Math.round(freshness.lagMs / 1000)} s behind (newest change ${freshness.newest})`,
    payload: {
      stream,
      newest: freshness.newest,
      lag_ms: freshness.lagMs,
      measured_at: freshness.measuredAt,
    },
  });
}

function sameCursor(a: JsonObject, b: JsonObject | undefined): boolean {
  return b !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

// A bronze entry's hash and its format: rows are hashed in JavaScript as they stream
// in (v1, `createRowSetHash`), before any engine holds them.
function hashOf(digest: RowSetDigest): { sha256: string; hash_format: string } {
  return { sha256: digest.sha256, hash_format: digest.format };
}
