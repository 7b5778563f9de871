import {
  type CatalogConnection,
  isDatabaseAnswer,
  isNotConnected,
  runCatalogStatement,
} from "./iceberg-catalog-connection.js";
import { IcebergCommitStateUnknownError } from "./iceberg-commit-state-unknown-error.js";
import { IcebergError } from "./iceberg-error.js";

/** A table's name in the catalog: its namespace levels and its own name. */
export interface IcebergTableIdentifier {
  /** One or more levels, e.g. `["bronze"]`; stored joined with `.` (`table_namespace`). */
  namespace: readonly string[];
  name: string;
}

/** What the catalog row of a table says. */
export interface IcebergCatalogEntry {
  metadataLocation: string;
  previousMetadataLocation: string | undefined;
}

/** Options of {@link createIcebergSqlCatalog}. */
export interface IcebergSqlCatalogOptions {
  /** The Postgres (or PGlite) database holding `iceberg_tables`. */
  connection: CatalogConnection;
  /**
   * The `catalog_name` column: several catalogs share the tables, each sees its own
   * rows. Give Trino (`iceberg.jdbc-catalog.catalog-name`) and PyIceberg
   * (`SqlCatalog(name)`) the same name to share tables with them.
   * @default "controlroom"
   */
  catalogName?: string | undefined;
  /**
   * Create `iceberg_tables` and `iceberg_namespace_properties` when missing (as Java's
   * JdbcCatalog and PyIceberg's SqlCatalog do on start).
   * @default true
   */
  createTables?: boolean | undefined;
}

const DDL = [
  // The layout Java's JdbcCatalog (schema V0), PyIceberg's SqlCatalog and Trino's JDBC
  // catalog share. Java's V1 adds a nullable iceberg_type column; rows we insert leave
  // it NULL, which every V1 reader takes for TABLE.
  `CREATE TABLE IF NOT EXISTS iceberg_tables (
    catalog_name VARCHAR(255) NOT NULL,
    table_namespace VARCHAR(255) NOT NULL,
    table_name VARCHAR(255) NOT NULL,
    metadata_location VARCHAR(1000),
    previous_metadata_location VARCHAR(1000),
    PRIMARY KEY (catalog_name, table_namespace, table_name))`,
  `CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (
    catalog_name VARCHAR(255) NOT NULL,
    namespace VARCHAR(255) NOT NULL,
    property_key VARCHAR(255) NOT NULL,
    property_value VARCHAR(1000),
    PRIMARY KEY (catalog_name, namespace, property_key))`,
];

/**
 * Iceberg's SQL ("JDBC") catalog on Postgres: one row per table in `iceberg_tables`
 * naming its current metadata file, namespaces in `iceberg_namespace_properties`.
 * A commit is `UPDATE … SET metadata_location = new WHERE metadata_location = old`:
 * exactly one of several racing writers changes the row. The same rows are read and
 * written by Java's JdbcCatalog, PyIceberg's SqlCatalog and Trino's JDBC catalog.
 *
 * Create it with {@link createIcebergSqlCatalog}.
 */
export class IcebergSqlCatalog {
  /** The `catalog_name` this catalog reads and writes. */
  readonly name: string;
  readonly #connection: CatalogConnection;
  readonly #createTables: boolean;
  #ready: Promise<{ typed: boolean }> | undefined;

  constructor(options: IcebergSqlCatalogOptions) {
    this.#connection = options.connection;
    this.name = options.catalogName ?? "controlroom";
    this.#createTables = options.createTables ?? true;
    if (this.name === "") throw invalid("catalogName must not be empty");
  }

  /** Creates a namespace (the `exists` property, as Java and PyIceberg mark one); a no-op when it exists. */
  async createNamespace(
    namespace: readonly string[],
    properties: Record<string, string> = {},
  ): Promise<void> {
    const name = namespaceText(namespace);
    await this.#ready_();
    for (const [key, value] of Object.entries({ exists: "true", ...properties })) {
      await this.#run(
        `INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, property_value)
         VALUES ($1, $2, $3, $4) ON CONFLICT (catalog_name, namespace, property_key) DO NOTHING`,
        [this.name, name, key, value],
      );
    }
  }

  /** Namespaces with a property or a table, sorted. */
  async listNamespaces(): Promise<string[][]> {
    await this.#ready_();
    const { rows } = await this.#run(
      `SELECT namespace AS ns FROM iceberg_namespace_properties WHERE catalog_name = $1
       UNION SELECT table_namespace AS ns FROM iceberg_tables WHERE catalog_name = $1 ORDER BY 1`,
      [this.name],
    );
    return rows.map((row) => String(row.ns).split("."));
  }

  /** The tables of a namespace, by name. */
  async listTables(namespace: readonly string[]): Promise<IcebergTableIdentifier[]> {
    const { typed } = await this.#ready_();
    const { rows } = await this.#run(
      `SELECT table_name FROM iceberg_tables WHERE catalog_name = $1 AND table_namespace = $2
       ${typed ? "AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL)" : ""} ORDER BY table_name`,
      [this.name, namespaceText(namespace)],
    );
    return rows.map((row) => ({ namespace: [...namespace], name: String(row.table_name) }));
  }

  /** The table's catalog row, or `undefined` when there is no such table. */
  async loadTable(identifier: IcebergTableIdentifier): Promise<IcebergCatalogEntry | undefined> {
    const { typed } = await this.#ready_();
    const { namespace, name } = identifierText(identifier);
    const { rows } = await this.#run(
      `SELECT metadata_location, previous_metadata_location FROM iceberg_tables
       WHERE catalog_name = $1 AND table_namespace = $2 AND table_name = $3
       ${typed ? "AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL)" : ""}`,
      [this.name, namespace, name],
    );
    const row = rows[0];
    if (row === undefined || row.metadata_location == null) return undefined;
    return {
      metadataLocation: String(row.metadata_location),
      previousMetadataLocation:
        row.previous_metadata_location == null ? undefined : String(row.previous_metadata_location),
    };
  }

  /**
   * Registers a new table whose first metadata file is written. Resolves `false` when a
   * table of that name exists. Throws {@link IcebergCommitStateUnknownError} when the
   * INSERT's outcome is unknown.
   */
  async createTable(
    identifier: IcebergTableIdentifier,
    metadataLocation: string,
  ): Promise<boolean> {
    const { namespace, name } = identifierText(identifier);
    await this.createNamespace(identifier.namespace);
    try {
      await runCatalogStatement(
        this.#connection,
        `INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location)
         VALUES ($1, $2, $3, $4, NULL)`,
        [this.name, namespace, name, metadataLocation],
      );
      return true;
    } catch (error) {
      if (isDatabaseAnswer(error) && error.code === "23505") return false;
      throw this.#commitFailure(error, identifier, metadataLocation, undefined);
    }
  }

  /**
   * Swaps the table's metadata file from `expected` to `next`, only while the row still
   * names `expected`. Resolves `true` when it did, `false` when another writer committed
   * first (nothing changed). Throws {@link IcebergCommitStateUnknownError} when the
   * UPDATE was sent but no answer came back: never retry that blindly.
   */
  async commitTable(
    identifier: IcebergTableIdentifier,
    expected: string,
    next: string,
  ): Promise<boolean> {
    const { namespace, name } = identifierText(identifier);
    await this.#ready_();
    let rowCount: number;
    try {
      ({ rowCount } = await runCatalogStatement(
        this.#connection,
        `UPDATE iceberg_tables SET metadata_location = $1, previous_metadata_location = $2
         WHERE catalog_name = $3 AND table_namespace = $4 AND table_name = $5 AND metadata_location = $2`,
        [next, expected, this.name, namespace, name],
      ));
    } catch (error) {
      throw this.#commitFailure(error, identifier, next, expected);
    }
    return rowCount === 1;
  }

  /** Removes the table's row (its files stay). Resolves `false` when there was none. */
  async dropTable(identifier: IcebergTableIdentifier): Promise<boolean> {
    await this.#ready_();
    const { namespace, name } = identifierText(identifier);
    const { rowCount } = await this.#run(
      "DELETE FROM iceberg_tables WHERE catalog_name = $1 AND table_namespace = $2 AND table_name = $3",
      [this.name, namespace, name],
    );
    return rowCount > 0;
  }

  #ready_(): Promise<{ typed: boolean }> {
    this.#ready ??= this.#prepare().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async #prepare(): Promise<{ typed: boolean }> {
    if (this.#createTables) {
      for (const statement of DDL) {
        try {
          await this.#run(statement);
        } catch (error) {
          // Two processes creating the table at once: the loser sees a duplicate type.
          if (!(error instanceof IcebergError && /23505|42P07/.test(error.message))) throw error;
        }
      }
    }
    // Java's schema V1 stores views in the same table, marked by iceberg_type.
    const { rows } = await this.#run(
      `SELECT 1 FROM information_schema.columns
       WHERE table_name = 'iceberg_tables' AND column_name = 'iceberg_type'
       AND table_schema = ANY (current_schemas(false))`,
    );
    return { typed: rows.length > 0 };
  }

  async #run(sql: string, parameters: unknown[] = []) {
    try {
      return await runCatalogStatement(this.#connection, sql, parameters);
    } catch (error) {
      throw new IcebergError(
        "ICEBERG_CATALOG_ERROR",
        `the Iceberg catalog's database failed: ${describe(error)}`,
        { cause: error },
      );
    }
  }

  #commitFailure(
    error: unknown,
    identifier: IcebergTableIdentifier,
    metadataLocation: string,
    previous: string | undefined,
  ): IcebergError {
    const table = [...identifier.namespace, identifier.name].join(".");
    if (isDatabaseAnswer(error) || isNotConnected(error)) {
      return new IcebergError(
        "ICEBERG_CATALOG_ERROR",
        `committing ${table} failed in the catalog's database: ${describe(error)}`,
        { cause: error },
      );
    }
    return new IcebergCommitStateUnknownError(
      `the catalog commit of ${table} was sent but no answer came back (${describe(error)}): ` +
        `it may or may not have landed; the catalog names ${metadataLocation} if it did`,
      { metadataLocation, previousMetadataLocation: previous, cause: error },
    );
  }
}

/**
 * Creates an {@link IcebergSqlCatalog}. Tables are created in the connection's
 * search path on first use (unless `createTables: false`).
 *
 * @example
 * ```ts
 * import postgres from "postgres";
 * import { createIcebergSqlCatalog } from "@controlroom/adapters/iceberg";
 *
 * const catalog = createIcebergSqlCatalog({
 *   connection: postgres(process.env.CATALOG_DATABASE_URL!),
 *   catalogName: "lake", // the same name in Trino and PyIceberg shares the tables
 * });
 * const entry = await catalog.loadTable({ namespace: ["bronze"], name: "orders" });
 * ```
 */
export function createIcebergSqlCatalog(options: IcebergSqlCatalogOptions): IcebergSqlCatalog {
  return new IcebergSqlCatalog(options);
}

/** `namespace.levels.joined` as `table_namespace` stores it; a level may not contain `.`. */
export function namespaceText(namespace: readonly string[]): string {
  if (namespace.length === 0) throw invalid("a namespace needs at least one level");
  for (const level of namespace) {
    if (typeof level !== "string" || level === "" || level.includes(".")) {
      throw invalid(
        `namespace level ${JSON.stringify(level)} must be non-empty and contain no "."`,
      );
    }
  }
  return namespace.join(".");
}

function identifierText(identifier: IcebergTableIdentifier): { namespace: string; name: string } {
  if (typeof identifier.name !== "string" || identifier.name === "") {
    throw invalid("a table name must be a non-empty string");
  }
  return { namespace: namespaceText(identifier.namespace), name: identifier.name };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

function invalid(reason: string): IcebergError {
  return new IcebergError("ICEBERG_INVALID_ARGUMENT", reason);
}
