import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ObjectStore } from "@controlroom/executor-kit";
import { quoteLiteral } from "../internal/sql-quote.js";
import type { DeltaAction } from "./delta-actions.js";
import { deltaLogPrefix } from "./delta-log-listing.js";
import type { DuckDbSession } from "./duckdb-session.js";
import type { LoadedDeltaState } from "./load-delta-state.js";

// The classic checkpoint schema (PROTOCOL.md "Checkpoint Schema"), one action per
// row. Explicit types make DuckDB write maps as Parquet MAPs and versions as INT32
// where Spark and delta-rs expect them.
const STRING_MAP = "MAP(VARCHAR, VARCHAR)";
const CHECKPOINT_COLUMNS: Record<string, string> = {
  txn: "STRUCT(appId VARCHAR, version BIGINT, lastUpdated BIGINT)",
  add: `STRUCT(path VARCHAR, partitionValues ${STRING_MAP}, size BIGINT, modificationTime BIGINT, dataChange BOOLEAN, stats VARCHAR, tags ${STRING_MAP})`,
  remove: `STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, extendedFileMetadata BOOLEAN, partitionValues ${STRING_MAP}, size BIGINT)`,
  metaData: `STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format STRUCT(provider VARCHAR, options ${STRING_MAP}), schemaString VARCHAR, partitionColumns VARCHAR[], configuration ${STRING_MAP}, createdTime BIGINT)`,
  protocol:
    "STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, readerFeatures VARCHAR[], writerFeatures VARCHAR[])",
};
// Tombstones younger than delta.deletedFileRetentionDuration (default one week) stay
// in the checkpoint so that VACUUM by other engines does not delete files early.
const TOMBSTONE_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Writes a classic Parquet checkpoint of a loaded version
 * (`_delta_log/NNNNNNNNNNNNNNNNNNNN.checkpoint.parquet`) with DuckDB, then
 * `_last_checkpoint`. Rows are ordered (protocol, metaData, txns, adds by path,
 * removes by path) so the same state gives the same file.
 *
 * @example
 * ```ts
 * const loaded = await loadDeltaState({ store, location: "t", session: async () => session }, { version: 10 });
 * await writeDeltaCheckpoint(store, "t", loaded, session);
 * ```
 */
export async function writeDeltaCheckpoint(
  store: ObjectStore,
  location: string,
  loaded: LoadedDeltaState,
  session: DuckDbSession,
  signal?: AbortSignal,
): Promise<void> {
  const { snapshot, state } = loaded;
  const actions: DeltaAction[] = [{ protocol: snapshot.protocol }, { metaData: snapshot.metadata }];
  for (const txn of [...state.txns.values()].sort((a, b) => a.appId.localeCompare(b.appId))) {
    actions.push({ txn });
  }
  const adds = [...state.files.values()].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
  for (const add of adds) {
    const { stats_parsed: _parsed, deletionVector: _dv, ...rest } = add;
    actions.push({ add: { ...rest, dataChange: false } });
  }
  const horizon = Date.now() - TOMBSTONE_RETENTION_MS;
  const removes = [...state.tombstones.values()]
    .filter((remove) => Number(remove.deletionTimestamp ?? 0) >= horizon)
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const remove of removes) actions.push({ remove: { ...remove, dataChange: false } });

  const temp = await mkdtemp(join(tmpdir(), "controlroom-delta-checkpoint-"));
  try {
    const json = join(temp, "actions.ndjson");
    const parquet = join(temp, "checkpoint.parquet");
    await writeFile(json, actions.map((action) => JSON.stringify(action)).join("\n"));
    const columns = Object.entries(CHECKPOINT_COLUMNS)
      .map(([name, type]) => `${quoteLiteral(name)}: ${quoteLiteral(type)}`)
      .join(", ");
    await session.run(
      `COPY (SELECT txn, add, remove, metaData, protocol FROM read_json(${quoteLiteral(json)}, format = 'newline_delimited', columns = {${columns}})) TO ${quoteLiteral(parquet)} (FORMAT parquet, COMPRESSION snappy)`,
    );
    const bytes = new Uint8Array(await readFile(parquet));
    const prefix = deltaLogPrefix(location);
    const name = `${String(snapshot.version).padStart(20, "0")}.checkpoint.parquet`;
    await store.put(`${prefix}${name}`, bytes, { signal });
    const last = {
      version: snapshot.version,
      size: actions.length,
      sizeInBytes: bytes.byteLength,
      numOfAddFiles: adds.length,
    };
    await store.put(`${prefix}_last_checkpoint`, new TextEncoder().encode(JSON.stringify(last)), {
      signal,
    });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
