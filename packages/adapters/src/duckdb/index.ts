export { AdapterError, isAdapterError } from "../internal/adapter-error.js";
export { createDuckDbEngine, DuckDbEngine } from "./duckdb-engine.js";
export type { DuckDbEngineOptions } from "./duckdb-engine-options.js";
export { DuckDbError, type DuckDbErrorCode } from "./duckdb-error.js";
export {
  type DuckDbRowSetDigest,
  type DuckDbRowSetHashOptions,
  duckDbRowSetHash,
  ROW_SET_HASH_V2,
} from "./duckdb-row-set-hash.js";
export { decimalToJs, duckDbValueConverter } from "./duckdb-value-converter.js";
export {
  type RegisterTableViewOptions,
  registerTableView,
  type TableView,
} from "./register-table-view.js";
export {
  type WriteQueryResult,
  type WriteQueryToTableOptions,
  writeQueryToTable,
} from "./write-query-to-table.js";
