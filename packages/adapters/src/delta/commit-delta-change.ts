import { createHash } from "node:crypto";
import type { ObjectStore, TableCommit } from "@controlroom/executor-kit";
import { canonicalDeltaPath } from "./canonical-delta-path.js";
import type { AddAction, DeltaAction, MetadataAction } from "./delta-actions.js";
import { DeltaConcurrentModificationError } from "./delta-concurrent-modification-error.js";
import { DeltaError } from "./delta-errors.js";
import { commitKey, deltaLogPrefix } from "./delta-log-listing.js";
import { assertWritable } from "./delta-protocol-support.js";
import { fromTableSchema } from "./delta-schema.js";
import type { DeltaSnapshotCache } from "./delta-snapshot-cache.js";
import { DeltaTableNotFoundError } from "./delta-table-not-found-error.js";
import { DeltaUnsupportedFeatureError } from "./delta-unsupported-feature-error.js";
import type { DuckDbSession } from "./duckdb-session.js";
import { encodeDeltaPath } from "./encode-delta-path.js";
import { cacheCommittedVersion, loadCachedDeltaState } from "./load-cached-delta-state.js";
import type { LoadedDeltaState } from "./load-delta-state.js";
import { parseCommit, readCommitActions } from "./read-commit-actions.js";
import { writeDeltaCheckpoint } from "./write-delta-checkpoint.js";
import type { DeltaAddFile } from "./write-delta-data-files.js";

/** What a commit did. */
export interface DeltaCommitResult {
  /** The version committed. */
  version: number;
  /** True when a checkpoint of this version was written. */
  checkpointed: boolean;
  /**
   * Why the checkpoint after the commit failed, if it did. The commit itself stands:
   * a checkpoint only speeds up reads, and the next one covers this version too.
   */
  checkpointError?: unknown;
}

/** How to commit. */
export interface CommitContext {
  store: ObjectStore;
  location: string;
  session: () => Promise<DuckDbSession>;
  checkpointInterval: number;
  maxAttempts: number;
  /**
   * Versions are read from it, and the committed version is added to it.
   * @default undefined
   */
  cache?: DeltaSnapshotCache | undefined;
}

/** The `engineInfo` every commit of this writer records. */
export const ENGINE_INFO = "controlroom-adapters-delta/0.1.0";
const OPERATIONS: Record<TableCommit["operation"], string> = {
  create: "CREATE TABLE",
  append: "WRITE",
  overwrite: "WRITE",
  delete: "DELETE",
  merge: "MERGE",
};

/**
 * Commits a change as the next version with `putIfAbsent` of
 * `_delta_log/NNNNNNNNNNNNNNNNNNNN.json`. When another writer took that version, the
 * winning commits are read and checked: a blind append (adds only, no
 * `expectedVersion`) conflicts only with metadata or protocol changes and is retried
 * at the next version; anything that read the table (removes, `expectedVersion`)
 * fails with {@link DeltaConcurrentModificationError} when the winner changed data.
 * Every `checkpointInterval` versions a checkpoint follows.
 *
 * @example
 * ```ts
 * await commitDeltaChange(context, { operation: "append", add: files, provenance }, {});
 * ```
 */
export async function commitDeltaChange(
  context: CommitContext,
  change: TableCommit,
  extra: {
    properties?: Record<string, string> | undefined;
    name?: string | undefined;
    description?: string | undefined;
  },
  signal?: AbortSignal,
): Promise<DeltaCommitResult> {
  const now = Date.now();
  let loaded: LoadedDeltaState | undefined;
  if (change.operation !== "create") {
    loaded = await loadCachedDeltaState(context, { signal });
    if (
      change.expectedVersion !== undefined &&
      loaded.snapshot.version !== change.expectedVersion
    ) {
      throw new DeltaConcurrentModificationError(
        `expected version ${change.expectedVersion}, but the table is at ${loaded.snapshot.version}`,
        loaded.snapshot.version,
      );
    }
  }
  const { actions, blindAppend, metadata } = buildActions(change, extra, loaded, now);
  return putDeltaCommit(
    context,
    actions,
    {
      version: loaded === undefined ? 0 : loaded.snapshot.version + 1,
      metadata,
      blindAppend,
      readWholeTable: change.expectedVersion !== undefined,
      create: change.operation === "create",
      read: loaded,
    },
    signal,
  );
}

/** How {@link putDeltaCommit} writes a commit and decides about a lost race. */
export interface PutDeltaCommitOptions {
  /** The version to try first (the read version + 1, or 0 for a new table). */
  version: number;
  /** The table's metadata after the commit (its checkpoint interval is honoured). */
  metadata: MetadataAction;
  /** Adds only, nothing read: retried past other writers' data changes. */
  blindAppend: boolean;
  /** The change depends on the whole table as read: any other commit conflicts. */
  readWholeTable: boolean;
  /** A new table: losing the race means another writer created it. */
  create: boolean;
  /**
   * The version the actions were computed from (`version - 1`; `undefined` for a new
   * table): when the commit lands at `version`, its state plus the actions is that
   * version, which goes into `context.cache`.
   * @default undefined (nothing is cached)
   */
  read?: Pick<LoadedDeltaState, "state" | "snapshot"> | undefined;
}

/**
 * Writes prepared actions as the next version with `putIfAbsent`, retrying a blind
 * append past other writers' commits and failing anything else that lost the race with
 * {@link DeltaConcurrentModificationError}; checkpoints every interval.
 */
export async function putDeltaCommit(
  context: CommitContext,
  actions: DeltaAction[],
  options: PutDeltaCommitOptions,
  signal?: AbortSignal,
): Promise<DeltaCommitResult> {
  const { store, location } = context;
  const logPrefix = deltaLogPrefix(location);
  const configured = Number(options.metadata.configuration?.["delta.checkpointInterval"]);
  const interval =
    Number.isInteger(configured) && configured > 0 ? configured : context.checkpointInterval;
  let version = options.version;
  for (let attempt = 0; attempt < context.maxAttempts; attempt++) {
    signal?.throwIfAborted();
    const body = actions.map((action) => JSON.stringify(action)).join("\n");
    const key = commitKey(logPrefix, version);
    if (
      (await store.putIfAbsent(key, new TextEncoder().encode(`${body}\n`), { signal })) !==
      undefined
    ) {
      // Only on top of the version read; after a lost race other commits came between.
      if (version === options.version && (options.read !== undefined || options.create)) {
        // The actions as a reader parses them (no undefined fields), so the cached
        // version equals a fresh load. Caching is only a speed-up: never fail the commit.
        await cacheCommittedVersion(
          context,
          options.read,
          version,
          key,
          parseCommit(body, key),
          signal,
        ).catch(() => undefined);
      }
      if (version === 0 || version % interval !== 0) return { version, checkpointed: false };
      return { version, ...(await checkpointAfterCommit(context, version, signal)) };
    }
    // Another writer took this version: decide whether our change still holds on top.
    if (options.create) {
      throw new DeltaConcurrentModificationError(
        `a table already exists at "${location}"`,
        version,
        "DELTA_TABLE_EXISTS",
      );
    }
    const winner = (await readCommitActions(store, commitKey(logPrefix, version), signal)) ?? [];
    const conflict = conflictWith(winner, options.blindAppend, options.readWholeTable);
    if (conflict !== undefined) {
      throw new DeltaConcurrentModificationError(
        `version ${version} was committed by another writer and ${conflict}; re-read the table and retry`,
        version,
      );
    }
    version++;
    const info = actions[0]?.commitInfo;
    if (info !== undefined) info.readVersion = version - 1;
  }
  throw new DeltaConcurrentModificationError(
    `gave up after ${context.maxAttempts} attempts: other writers kept committing first`,
    version,
  );
}

function buildActions(
  change: TableCommit,
  extra: {
    properties?: Record<string, string> | undefined;
    name?: string | undefined;
    description?: string | undefined;
  },
  loaded: LoadedDeltaState | undefined,
  now: number,
): { actions: DeltaAction[]; blindAppend: boolean; metadata: MetadataAction } {
  const removes = change.remove ?? [];
  const blindAppend =
    change.operation !== "create" &&
    removes.length === 0 &&
    change.expectedVersion === undefined &&
    change.schema === undefined;
  const provenance = { ...change.provenance };
  const commitInfo: Record<string, unknown> = {
    ...provenance,
    timestamp: now,
    operation: OPERATIONS[change.operation],
    operationParameters: operationParameters(change),
    isBlindAppend: blindAppend,
    engineInfo: ENGINE_INFO,
  };
  if (loaded !== undefined) commitInfo.readVersion = loaded.snapshot.version;
  const actions: DeltaAction[] = [{ commitInfo }];

  let metadata = loaded?.snapshot.metadata;
  let protocol = loaded?.snapshot.protocol;
  if (change.operation === "create") {
    if (change.schema === undefined) {
      throw new DeltaError("DELTA_INVALID_ARGUMENT", "creating a table needs a schema");
    }
    protocol = { minReaderVersion: 1, minWriterVersion: 2 };
    metadata = newMetadata(change, extra, now);
    actions.push({ protocol }, { metaData: metadata });
  } else if (change.schema !== undefined && metadata !== undefined) {
    metadata = {
      ...metadata,
      schemaString: schemaStringOf(change.schema, metadata.partitionColumns),
    };
    actions.push({ metaData: metadata });
  }
  if (protocol === undefined || metadata === undefined)
    throw new DeltaTableNotFoundError("(table)");
  assertWritable(protocol, metadata);
  if (removes.length > 0 && metadata.configuration?.["delta.appendOnly"] === "true") {
    throw new DeltaError(
      "DELTA_INVALID_ARGUMENT",
      "the table is append-only (delta.appendOnly=true): cannot remove files",
    );
  }

  const live = new Map<string, AddAction>();
  for (const [key, add] of loaded?.state.files ?? []) live.set(key, add);
  for (const path of removes) {
    const existing =
      live.get(canonicalDeltaPath(encodeDeltaPath(path))) ?? live.get(canonicalDeltaPath(path));
    actions.push({
      remove: {
        path: existing?.path ?? encodeDeltaPath(path),
        deletionTimestamp: now,
        dataChange: true,
        extendedFileMetadata: existing !== undefined,
        partitionValues: existing?.partitionValues ?? {},
        size: existing?.size ?? null,
      },
    });
  }
  for (const file of change.add as DeltaAddFile[]) {
    const add: AddAction = {
      path: encodeDeltaPath(file.path),
      partitionValues: file.partitionValues ?? {},
      size: file.sizeBytes,
      modificationTime: file.modificationTime ?? now,
      dataChange: true,
    };
    const stats =
      file.stats ?? (file.recordCount === undefined ? undefined : { numRecords: file.recordCount });
    if (stats !== undefined) add.stats = JSON.stringify(stats);
    actions.push({ add });
  }
  return { actions, blindAppend, metadata };
}

function newMetadata(
  change: TableCommit,
  extra: {
    properties?: Record<string, string> | undefined;
    name?: string | undefined;
    description?: string | undefined;
  },
  now: number,
): MetadataAction {
  const partitionColumns = change.partitionColumns ?? [];
  const schemaString = schemaStringOf(
    change.schema as NonNullable<TableCommit["schema"]>,
    partitionColumns,
  );
  // A table id derived from what defines the table, so that a rebuild writes the same log.
  const hash = createHash("sha256")
    .update(
      JSON.stringify([
        schemaString,
        partitionColumns,
        change.provenance.run_id,
        change.provenance.git_sha,
      ]),
    )
    .digest("hex");
  const id = `${hash.slice(0, 8)}-${hash.slice(8, 12)}-4${hash.slice(13, 16)}-a${hash.slice(17, 20)}-${hash.slice(20, 32)}`;
  const metadata: MetadataAction = {
    id,
    format: { provider: "parquet", options: {} },
    schemaString,
    partitionColumns,
    configuration: { ...(extra.properties ?? {}) },
    createdTime: now,
  };
  if (extra.name !== undefined) metadata.name = extra.name;
  if (extra.description !== undefined) metadata.description = extra.description;
  return metadata;
}

function schemaStringOf(
  schema: NonNullable<TableCommit["schema"]>,
  partitionColumns: readonly string[],
): string {
  const delta = fromTableSchema(schema);
  for (const name of partitionColumns) {
    const field = delta.fields.find((f) => f.name === name);
    if (field === undefined || typeof field.type !== "string") {
      throw new DeltaError(
        "DELTA_INVALID_ARGUMENT",
        `partition column "${name}" must be a primitive column of the schema`,
      );
    }
  }
  const ntz = JSON.stringify(delta).includes('"timestamp_ntz"');
  if (ntz) {
    throw new DeltaUnsupportedFeatureError(
      "timestampNtz",
      "writing timestamp_ntz columns needs the timestampNtz table feature (writer version 7), which this writer does not produce; use timestamp",
    );
  }
  return JSON.stringify(delta);
}

function operationParameters(change: TableCommit): Record<string, string> {
  switch (change.operation) {
    case "create":
      return { partitionBy: JSON.stringify(change.partitionColumns ?? []) };
    case "append":
      return { mode: "Append", partitionBy: "[]" };
    case "overwrite":
      return { mode: "Overwrite", partitionBy: "[]" };
    default:
      return {};
  }
}

function conflictWith(
  winner: DeltaAction[],
  blindAppend: boolean,
  readWholeTable: boolean,
): string | undefined {
  if (winner.some((a) => a.metaData != null))
    return "changed the table's metadata (schema or properties)";
  if (winner.some((a) => a.protocol != null)) return "changed the table's protocol";
  if (blindAppend) return undefined;
  const changedData = winner.some(
    (a) =>
      (a.add != null && a.add.dataChange !== false) ||
      (a.remove != null && a.remove.dataChange !== false),
  );
  if (changedData || readWholeTable) return "changed the data this commit read";
  return undefined;
}

async function checkpointAfterCommit(
  context: CommitContext,
  version: number,
  signal: AbortSignal | undefined,
): Promise<Omit<DeltaCommitResult, "version">> {
  try {
    const loaded = await loadCachedDeltaState(context, { version, signal });
    await writeDeltaCheckpoint(
      context.store,
      context.location,
      loaded,
      await context.session(),
      signal,
    );
    return { checkpointed: true };
  } catch (checkpointError) {
    return { checkpointed: false, checkpointError };
  }
}
