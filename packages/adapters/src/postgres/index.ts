export { AdapterError, isAdapterError } from "../internal/adapter-error.js";
export {
  applyDriftPolicy,
  type DriftAction,
  type DriftPolicy,
  type DriftVerdict,
  type SchemaDriftEvent,
  schemaDriftError,
} from "./apply-drift-policy.js";
export {
  detectSchemaDrift,
  hasSchemaDrift,
  type RenulledColumn,
  type RetypedColumn,
  type SchemaDrift,
} from "./detect-schema-drift.js";
export type { PgliteLike, PostgresConnection, PostgresJsLike } from "./postgres-connection.js";
export { createPostgresSource, type PostgresRow, type PostgresSource } from "./postgres-source.js";
export { PostgresSourceError, type PostgresSourceErrorCode } from "./postgres-source-error.js";
export type { PostgresSourceOptions, PostgresTableOptions } from "./postgres-source-options.js";
export {
  freshnessEvent,
  type SourceFreshness,
  type SourceFreshnessEvent,
} from "./source-freshness.js";
export { tableFormatField } from "./table-format-type.js";
export type { PostgresColumn, TableSchemaSnapshot } from "./table-schema-snapshot.js";
