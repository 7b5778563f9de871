export { AdapterError, isAdapterError } from "../internal/adapter-error.js";
export {
  LakehouseError,
  type LakehouseErrorCode,
  type LakehouseErrorOptions,
} from "../internal/lakehouse-error.js";
export type { IcebergChange, IcebergCommitResult } from "./commit-iceberg-change.js";
export type {
  CatalogConnection,
  CatalogPgliteLike,
  CatalogPostgresJsLike,
} from "./iceberg-catalog-connection.js";
export { IcebergCommitConflictError } from "./iceberg-commit-conflict-error.js";
export { IcebergCommitStateUnknownError } from "./iceberg-commit-state-unknown-error.js";
export { IcebergError, type IcebergErrorCode } from "./iceberg-error.js";
export { createIcebergLakehouse, IcebergLakehouse } from "./iceberg-lakehouse.js";
export type { IcebergLakehouseOptions } from "./iceberg-lakehouse-options.js";
export type { IcebergDataFile } from "./iceberg-manifests.js";
export type {
  IcebergPartitionField,
  IcebergPartitionSpec,
  PartitionFieldInput,
} from "./iceberg-partition-spec.js";
export {
  fromPortSchema,
  type IcebergField,
  type IcebergSchema,
  toPortSchema,
} from "./iceberg-schema.js";
export type { IcebergSnapshot, IcebergSnapshotSelector } from "./iceberg-snapshot.js";
export {
  createIcebergSqlCatalog,
  type IcebergCatalogEntry,
  IcebergSqlCatalog,
  type IcebergSqlCatalogOptions,
  type IcebergTableIdentifier,
} from "./iceberg-sql-catalog.js";
export {
  type IcebergCreateOptions,
  type IcebergHistoryEntry,
  IcebergTable,
  type IcebergTableOptions,
  type IcebergWriteOptions,
  type IcebergWriteResult,
  openIcebergTable,
} from "./iceberg-table.js";
export { defaultIdentifierOf } from "./lakehouse-identifier.js";
export { type IcebergScan, prepareIcebergScan } from "./prepare-iceberg-scan.js";
export type { IcebergRestoreResult } from "./restore-iceberg-table.js";
export type { IcebergWriteInput } from "./stage-write-input.js";
