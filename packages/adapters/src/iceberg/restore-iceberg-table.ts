import type { CommitProvenance } from "@controlroom/executor-kit";
import type { IcebergCommitResult } from "./commit-iceberg-change.js";
import { IcebergError } from "./iceberg-error.js";
import type { IcebergTable } from "./iceberg-table.js";

/** What {@link restoreIcebergTable} did. */
export interface IcebergRestoreResult {
  /** The commit, or `undefined` when the table already had exactly the target's files. */
  commit: IcebergCommitResult | undefined;
  previousVersion: number;
  filesAdded: number;
  filesRemoved: number;
}

/**
 * Makes the table read as it did at sequence number `version`, in one new snapshot
 * (operation `overwrite`) that marks the live files the target lacks DELETED and adds
 * back the target's files that are not live, so history keeps every snapshot in between
 * (unlike Iceberg's rollback, which moves `main` back). Conditional on the snapshot it
 * read: a concurrent commit makes it fail with `IcebergCommitConflictError`. Target
 * files written with another partition spec than the current one are refused.
 */
export async function restoreIcebergTable(
  table: IcebergTable,
  options: { version: number; provenance: CommitProvenance; signal?: AbortSignal | undefined },
): Promise<IcebergRestoreResult> {
  const { signal } = options;
  const current = await table.snapshot({ signal });
  const target = await table.snapshot({ version: options.version, signal });
  const live = new Set(current.dataFiles.map((file) => file.filePath));
  const wanted = new Set(target.dataFiles.map((file) => file.filePath));
  const add = target.dataFiles.filter((file) => !live.has(file.filePath));
  const removed = current.dataFiles.filter((file) => !wanted.has(file.filePath));
  const result = {
    previousVersion: current.version,
    filesAdded: add.length,
    filesRemoved: removed.length,
  };
  if (add.length === 0 && removed.length === 0) return { ...result, commit: undefined };
  const specId = current.partitionSpec.specId;
  if (add.some((file) => file.specId !== specId)) {
    throw new IcebergError(
      "ICEBERG_UNSUPPORTED_FEATURE",
      `${table.name}: version ${options.version} has files of another partition spec than the current one`,
    );
  }
  const commit = await table.commit(
    {
      operation: "overwrite",
      add,
      remove: (file) => !wanted.has(file.filePath),
      schemaId: current.icebergSchema.schemaId ?? 0,
      specId,
      expectedSnapshotId: current.snapshotId ?? null,
      provenance: { ...options.provenance, restored_version: options.version },
    },
    { signal },
  );
  return { ...result, commit };
}
