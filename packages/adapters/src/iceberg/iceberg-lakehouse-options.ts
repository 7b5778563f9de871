import type { ObjectStore } from "@controlroom/executor-kit";
import type { DuckDbEngineOptions } from "../duckdb/duckdb-engine-options.js";
import type { IcebergSqlCatalog, IcebergTableIdentifier } from "./iceberg-sql-catalog.js";

/** Options of {@link createIcebergLakehouse}. */
export interface IcebergLakehouseOptions {
  /** The store every table's files live in; a table's location is its key prefix. */
  store: ObjectStore;
  /** The SQL catalog the tables are registered in (shared with Trino and PyIceberg by name). */
  catalog: IcebergSqlCatalog;
  /**
   * The catalog name of the table at a location. Locations must map to distinct names:
   * a table found at another location than the one asked for is refused.
   * @default {@link defaultIdentifierOf}: `bronze/odoo/account_move` → `bronze_odoo.account_move`
   */
  identifierOf?: ((location: string) => IcebergTableIdentifier) | undefined;
  /**
   * Settings of the in-process DuckDB each session, append and hash opens.
   * @default {} (DuckDB's defaults)
   */
  engine?: Omit<DuckDbEngineOptions, "path" | "tempDirectory"> | undefined;
  /** Where each call's scratch directory goes. @default os.tmpdir() */
  tempDirectory?: string | undefined;
  /** Start a new Parquet data file after about this many bytes. @default "128MB" */
  targetFileSize?: string | undefined;
  /** Catalog commits an append tries when other writers keep committing first. @default 10 */
  maxCommitAttempts?: number | undefined;
}
