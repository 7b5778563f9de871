import type { DataFile, TableSnapshot } from "@controlroom/executor-kit";
import type { MetadataAction, ProtocolAction } from "./delta-actions.js";
import type { DeltaFileStats } from "./delta-file-stats.js";
import type { DeltaStructType } from "./delta-schema.js";

/** A live data file of a Delta snapshot. */
export interface DeltaDataFile extends DataFile {
  /**
   * The file's path relative to the table location, percent-decoded (the log stores
   * it URI-encoded). A file the log names by an absolute URI outside the table keeps
   * that URI here.
   */
  path: string;
  /** When the writer created the file, in milliseconds since the epoch. */
  modificationTime: number;
  /** Its statistics, when the writer recorded any. */
  stats?: DeltaFileStats | undefined;
  /** Partition column → value as the log stores it (`null` for null). */
  partitionValues: Record<string, string | null>;
}

/**
 * A Delta table at one version: the port's {@link TableSnapshot} plus the protocol,
 * the full metadata, the Delta schema (with nested nullability) and the applications'
 * transaction versions.
 */
export interface DeltaSnapshot extends TableSnapshot {
  files: DeltaDataFile[];
  /** The schema as the log spells it, with nested nullability and field metadata. */
  deltaSchema: DeltaStructType;
  protocol: ProtocolAction;
  metadata: MetadataAction;
  /** Each application's last committed `txn` version (idempotent writes). */
  txns: Record<string, number>;
  /**
   * When this version was committed: its in-commit timestamp, else its commit file's
   * modification time; `undefined` when only a checkpoint of it remains.
   */
  timestamp?: Date | undefined;
  /** The checkpoint the replay started from, if any. */
  checkpointVersion?: number | undefined;
}
