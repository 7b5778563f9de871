export { AdapterError, isAdapterError } from "../internal/adapter-error.js";
export {
  LakehouseError,
  type LakehouseErrorCode,
  type LakehouseErrorOptions,
} from "../internal/lakehouse-error.js";
export type { DeltaCommitResult } from "./commit-delta-change.js";
export type {
  AddAction,
  CommitInfoAction,
  DeltaAction,
  MetadataAction,
  ProtocolAction,
  RemoveAction,
  TxnAction,
} from "./delta-actions.js";
export { DeltaConcurrentModificationError } from "./delta-concurrent-modification-error.js";
export { DeltaError, type DeltaErrorCode } from "./delta-errors.js";
export type { DeltaFileStats } from "./delta-file-stats.js";
export { type DeltaHistoryEntry, readDeltaHistory } from "./delta-history.js";
export { createDeltaLakehouse, DeltaLakehouse } from "./delta-lakehouse.js";
export type { DeltaLakehouseOptions } from "./delta-lakehouse-options.js";
export { DeltaProtocolError } from "./delta-protocol-error.js";
export { DeltaRestoreFilesMissingError } from "./delta-restore-files-missing-error.js";
export {
  type DeltaStructField,
  type DeltaStructType,
  type DeltaType,
  duckDbType,
  formatDeltaType,
  fromTableSchema,
  parseDeltaSchema,
  toTableSchema,
} from "./delta-schema.js";
export type { DeltaDataFile, DeltaSnapshot } from "./delta-snapshot.js";
export {
  type CachedDeltaVersion,
  DeltaSnapshotCache,
  type DeltaSnapshotCacheOptions,
} from "./delta-snapshot-cache.js";
export {
  type DeltaCreateOptions,
  type DeltaSnapshotOptions,
  DeltaTable,
  type DeltaTableOptions,
  type DeltaWriteOptions,
  openDeltaTable,
} from "./delta-table.js";
export {
  createDeltaTableFormat,
  type DeltaTableFormat,
  type DeltaTableFormatOptions,
} from "./delta-table-format.js";
export { DeltaTableNotFoundError } from "./delta-table-not-found-error.js";
export { DeltaUnsupportedFeatureError } from "./delta-unsupported-feature-error.js";
export {
  type DuckDbConnectionLike,
  type DuckDbNative,
  type DuckDbSession,
  type DuckDbSessionOptions,
  openDuckDbSession,
} from "./duckdb-session.js";
export { type DeltaScan, prepareDeltaScan } from "./prepare-delta-scan.js";
export { type DeltaRows, readDeltaRows } from "./read-delta-rows.js";
export type { DeltaRestoreOptions, DeltaRestoreResult } from "./restore-delta-table.js";
export {
  type DeltaAddFile,
  type DeltaWriteInput,
  writeDeltaDataFiles,
} from "./write-delta-data-files.js";
