import type { CommitProvenance } from "@controlroom/executor-kit";
import {
  type CommitContext,
  type DeltaCommitResult,
  ENGINE_INFO,
  putDeltaCommit,
} from "./commit-delta-change.js";
import type { AddAction, DeltaAction, MetadataAction } from "./delta-actions.js";
import { DeltaError } from "./delta-errors.js";
import { assertWritable } from "./delta-protocol-support.js";
import { DeltaRestoreFilesMissingError } from "./delta-restore-files-missing-error.js";
import type { DeltaDataFile } from "./delta-snapshot.js";
import { loadCachedDeltaState } from "./load-cached-delta-state.js";

/** Options of {@link DeltaTable.restore}. */
export interface DeltaRestoreOptions {
  /** The version whose data the table goes back to. */
  version: number;
  /** Who restored it: written into the commit info with the Delta fields. */
  provenance: CommitProvenance;
  /** @default undefined */
  signal?: AbortSignal | undefined;
}

/** What {@link DeltaTable.restore} did. */
export interface DeltaRestoreResult {
  /**
   * The version the `RESTORE` commit created; `undefined` when the live files (and the
   * metadata) already were the target version's, so nothing was committed.
   */
  version: number | undefined;
  /** The latest version when the restore read the table (its state before). */
  readVersion: number;
  /** The version restored. */
  restoredVersion: number;
  /** Data files of the target version added back. */
  filesAdded: number;
  /** Live data files the target version did not have, removed. */
  filesRemoved: number;
  /** True when a checkpoint followed the commit. */
  checkpointed: boolean;
  /** Why that checkpoint failed, if it did (the restore stands). */
  checkpointError?: unknown;
}

// How many data files are checked for existence at once.
const STAT_CONCURRENCY = 16;

/**
 * Delta's RESTORE: one commit (operation `RESTORE`) that removes the live files the
 * target version does not have and adds back the target's files that are not live, so
 * the table reads exactly as it did at that version while its history keeps every
 * version in between. The commit is conditional on the version read: a concurrent
 * writer makes it fail with `DeltaConcurrentModificationError`. Refused with
 * {@link DeltaRestoreFilesMissingError} when a file the target needs is gone; a no-op
 * (no commit) when the live files and metadata already are the target's.
 *
 * @example
 * ```ts
 * const { version } = await restoreDeltaTable(context, { version: 3, provenance });
 * ```
 */
export async function restoreDeltaTable(
  context: CommitContext,
  options: DeltaRestoreOptions,
): Promise<DeltaRestoreResult> {
  const { location } = context;
  const { signal } = options;
  const current = await loadCachedDeltaState(context, { signal });
  const readVersion = current.snapshot.version;
  if (!Number.isInteger(options.version) || options.version < 0) {
    throw new DeltaError(
      "DELTA_INVALID_ARGUMENT",
      `cannot restore "${location}" to version ${options.version}: not a version number`,
    );
  }
  const target = await loadCachedDeltaState(context, { version: options.version, signal });
  const live = current.state.files;
  const wanted = target.state.files;
  const removed = [...live].filter(([key]) => !wanted.has(key)).map(([, add]) => add);
  // The snapshot lists files in the state's order: pair each add with its decoded path.
  const targetFiles = target.snapshot.files;
  const added = [...wanted]
    .map(([key, add], index) => ({ key, add, file: targetFiles[index] as DeltaDataFile }))
    .filter(({ key }) => !live.has(key));
  const metadata = restoredMetadata(current.snapshot.metadata, target.snapshot.metadata);
  const base = { readVersion, restoredVersion: options.version };
  if (removed.length === 0 && added.length === 0 && metadata === undefined) {
    return { ...base, version: undefined, filesAdded: 0, filesRemoved: 0, checkpointed: false };
  }

  const missing = await missingFiles(
    context,
    added.map(({ file }) => file.path),
    signal,
  );
  if (missing.length > 0) {
    throw new DeltaRestoreFilesMissingError(location, options.version, missing);
  }
  const after = metadata ?? current.snapshot.metadata;
  assertWritable(current.snapshot.protocol, after);
  if (
    removed.length > 0 &&
    current.snapshot.metadata.configuration?.["delta.appendOnly"] === "true"
  ) {
    throw new DeltaError(
      "DELTA_INVALID_ARGUMENT",
      `cannot restore "${location}": the table is append-only (delta.appendOnly=true), and a restore removes files`,
    );
  }

  const now = Date.now();
  const size = (adds: readonly AddAction[]) => adds.reduce((sum, a) => sum + Number(a.size), 0);
  const actions: DeltaAction[] = [
    {
      commitInfo: {
        ...options.provenance,
        timestamp: now,
        operation: "RESTORE",
        // Strings, as Spark writes every operation parameter.
        operationParameters: { version: String(options.version) },
        operationMetrics: {
          numRestoredFiles: String(added.length),
          numRemovedFiles: String(removed.length),
          restoredFilesSize: String(size(added.map(({ add }) => add))),
          removedFilesSize: String(size(removed)),
          numOfFilesAfterRestore: String(wanted.size),
          tableSizeAfterRestore: String(size([...wanted.values()])),
        },
        readVersion,
        isBlindAppend: false,
        engineInfo: ENGINE_INFO,
      },
    },
  ];
  if (metadata !== undefined) actions.push({ metaData: metadata });
  for (const add of removed) {
    actions.push({
      remove: {
        path: add.path,
        deletionTimestamp: now,
        dataChange: true,
        extendedFileMetadata: true,
        partitionValues: add.partitionValues ?? {},
        size: Number(add.size),
      },
    });
  }
  for (const { add, file } of added) actions.push({ add: restoredAdd(add, file) });
  const committed: DeltaCommitResult = await putDeltaCommit(
    context,
    actions,
    {
      version: readVersion + 1,
      metadata: after,
      blindAppend: false,
      // The restore is computed from the version read: any later commit invalidates it.
      readWholeTable: true,
      create: false,
      read: current,
    },
    signal,
  );
  return {
    ...base,
    ...committed,
    filesAdded: added.length,
    filesRemoved: removed.length,
  };
}

/** The target's schema, partitioning and properties on the current table identity, when they differ. */
function restoredMetadata(
  current: MetadataAction,
  target: MetadataAction,
): MetadataAction | undefined {
  const same =
    current.schemaString === target.schemaString &&
    JSON.stringify(current.partitionColumns) === JSON.stringify(target.partitionColumns) &&
    JSON.stringify(current.configuration ?? {}) === JSON.stringify(target.configuration ?? {});
  if (same) return undefined;
  return {
    ...current,
    schemaString: target.schemaString,
    partitionColumns: [...target.partitionColumns],
    configuration: { ...(target.configuration ?? {}) },
  };
}

/**
 * The target version's `add` as a data change, with the fields the protocol defines and
 * JSON statistics: an add read from a checkpoint may carry `stats_parsed`,
 * `partitionValues_parsed` or engine integers that do not belong in a JSON commit.
 */
function restoredAdd(add: AddAction, file: DeltaDataFile): AddAction {
  const restored: AddAction = {
    path: add.path,
    partitionValues: { ...file.partitionValues },
    size: file.sizeBytes,
    modificationTime: file.modificationTime,
    dataChange: true,
  };
  if (typeof add.stats === "string" && add.stats !== "") restored.stats = add.stats;
  else if (file.stats !== undefined) {
    restored.stats = JSON.stringify(file.stats, (_key, value) =>
      typeof value === "bigint" ? value.toString() : value,
    );
  }
  if (add.tags != null && typeof add.tags === "object" && Object.keys(add.tags).length > 0) {
    restored.tags = { ...add.tags };
  }
  return restored;
}

async function missingFiles(
  context: CommitContext,
  paths: readonly string[],
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const missing: string[] = [];
  for (let start = 0; start < paths.length; start += STAT_CONCURRENCY) {
    const chunk = paths.slice(start, start + STAT_CONCURRENCY);
    const found = await Promise.all(
      chunk.map(async (path) => {
        // Files outside the table (absolute URIs) are not the store's to check.
        if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(path)) return true;
        const key = context.location === "" ? path : `${context.location}/${path}`;
        return (await context.store.stat(key, { signal })) !== undefined;
      }),
    );
    found.forEach((exists, index) => {
      if (!exists) missing.push(chunk[index] as string);
    });
  }
  return missing;
}
