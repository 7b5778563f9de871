import type { ObjectStore } from "@controlroom/executor-kit";
import type { AddAction } from "./delta-actions.js";
import { parseFileStats } from "./delta-file-stats.js";
import type { DeltaLogState } from "./delta-log-state.js";
import { DeltaProtocolError } from "./delta-protocol-error.js";
import { assertReadable } from "./delta-protocol-support.js";
import { parseDeltaSchema, toTableSchema } from "./delta-schema.js";
import type { DeltaDataFile, DeltaSnapshot } from "./delta-snapshot.js";

/** Where a replayed state sits in the log, and where its table is. */
export interface SnapshotPosition {
  version: number;
  timestamp: Date | undefined;
  checkpointVersion: number | undefined;
  store: ObjectStore;
  location: string;
}

/** A state and the snapshot made from it, whose file entries a newer version may reuse. */
export interface StateWithSnapshot {
  state: DeltaLogState;
  snapshot: DeltaSnapshot;
}

/**
 * The {@link DeltaSnapshot} of a replayed state: checks that this adapter can read the
 * protocol, parses the schema and each file's statistics. With `previous` (an older
 * version of the same table), files whose `add` action is the very same object keep
 * their entry, so replaying a few commits onto a cached version does not re-parse the
 * statistics of every file.
 *
 * @example
 * ```ts
 * const snapshot = snapshotOfState(state, { version: 3, timestamp: undefined, checkpointVersion: undefined, store, location: "t" });
 * ```
 */
export function snapshotOfState(
  state: DeltaLogState,
  position: SnapshotPosition,
  previous?: StateWithSnapshot,
): DeltaSnapshot {
  const { version, timestamp, checkpointVersion, store, location } = position;
  // Absolute paths inside the table become relative, so every reader resolves them
  // through the store; a store at the table root has no key for the root itself.
  const rootUri = safeDecode(store.uri(location === "" ? "_delta_log" : location));
  const root = location === "" ? rootUri.slice(0, -"_delta_log".length) : `${rootUri}/`;
  const { protocol, metadata } = state;
  if (protocol === undefined) {
    throw new DeltaProtocolError(`the log has no protocol action at version ${version}`);
  }
  if (metadata === undefined) {
    throw new DeltaProtocolError(`the log has no metaData action at version ${version}`);
  }
  assertReadable(protocol, metadata, state.files.values());
  const deltaSchema = parseDeltaSchema(metadata.schemaString);
  const known = previous === undefined ? undefined : filesByAction(previous);
  const files: DeltaDataFile[] = [];
  for (const [canonical, add] of state.files) {
    files.push(known?.get(add) ?? dataFile(canonical, add, root));
  }
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata.configuration ?? {})) {
    if (typeof value === "string") properties[key] = value;
  }
  const txns: Record<string, number> = {};
  for (const [appId, txn] of state.txns) txns[appId] = Number(txn.version);
  return {
    version,
    schema: toTableSchema(deltaSchema),
    partitionColumns: [...(metadata.partitionColumns ?? [])],
    files,
    properties,
    deltaSchema,
    protocol,
    metadata,
    txns,
    timestamp,
    checkpointVersion,
  };
}

function dataFile(canonical: string, add: AddAction, root: string): DeltaDataFile {
  const stats = parseFileStats(add);
  const file: DeltaDataFile = {
    path: canonical.startsWith(root) ? canonical.slice(root.length) : canonical,
    sizeBytes: Number(add.size),
    modificationTime: Number(add.modificationTime),
    partitionValues: add.partitionValues ?? {},
  };
  if (stats !== undefined) file.stats = stats;
  if (stats?.numRecords !== undefined) file.recordCount = stats.numRecords;
  return file;
}

// The snapshot's files were made from the state's map in its order; the path check
// only guards against a snapshot whose file list someone reordered.
function filesByAction({ state, snapshot }: StateWithSnapshot): Map<AddAction, DeltaDataFile> {
  const byAction = new Map<AddAction, DeltaDataFile>();
  let index = 0;
  for (const [canonical, add] of state.files) {
    const file = snapshot.files[index++];
    if (file !== undefined && canonical.endsWith(file.path)) byAction.set(add, file);
  }
  return byAction;
}

function safeDecode(uri: string): string {
  try {
    return decodeURIComponent(uri);
  } catch {
    return uri;
  }
}
