import { join } from "node:path";
import { createDeltaLakehouse } from "@controlroom/adapters/delta";
import { createIcebergLakehouse, createIcebergSqlCatalog } from "@controlroom/adapters/iceberg";
import type { Lakehouse, ObjectStore } from "@controlroom/executor-kit";
import { PGlite } from "@electric-sql/pglite";

/** The demo lake's table format. */
export type DemoTableFormat = "delta" | "iceberg";

/**
 * The demo's lakehouse on `store`: Delta tables, or Iceberg tables registered in a SQL
 * catalog (catalog name `controlroom`) kept in an embedded PGlite database under
 * `dataDir/iceberg-catalog`, the same tables Java's JdbcCatalog, PyIceberg and Trino
 * use on Postgres. `close()` releases the lakehouse and the catalog database.
 *
 * @example
 * ```ts
 * const { lakehouse, close } = await openDemoLakehouse("iceberg", "./demo", createLocalObjectStore({ root: "./demo/lake" }));
 * await close();
 * ```
 */
export async function openDemoLakehouse(
  format: DemoTableFormat,
  dataDir: string,
  store: ObjectStore,
): Promise<{ lakehouse: Lakehouse; close(): Promise<void> }> {
  if (format === "delta") {
    const lakehouse = createDeltaLakehouse({ store });
    return { lakehouse, close: () => lakehouse.close() };
  }
  const catalogDatabase = await PGlite.create({ dataDir: join(dataDir, "iceberg-catalog") });
  const lakehouse = createIcebergLakehouse({
    store,
    catalog: createIcebergSqlCatalog({ connection: catalogDatabase }),
  });
  return {
    lakehouse,
    async close() {
      await lakehouse.close();
      await catalogDatabase.close();
    },
  };
}
