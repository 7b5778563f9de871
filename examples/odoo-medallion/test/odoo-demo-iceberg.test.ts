import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createIcebergSqlCatalog,
  defaultIdentifierOf,
  openIcebergTable,
} from "@controlroom/adapters/iceberg";
import { createLocalObjectStore } from "@controlroom/adapters/local";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, describe, expect, it } from "vitest";
import { runOdooDemo } from "../src/demo/run-odoo-demo.js";

// The same medallion pipeline with `tableFormat: "iceberg"`: bronze, silver and gold are
// Iceberg tables in the embedded SQL catalog, and a rebuild hashes the same.
const GIT_SHA = "1ceb0e".padEnd(40, "0");
let dataDir: string | undefined;

afterAll(async () => {
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

describe("the Odoo demo on Iceberg", () => {
  it("runs every phase and publishes gold Iceberg tables registered in the SQL catalog", {
    timeout: 300_000,
  }, async () => {
    dataDir = await mkdtemp(join(tmpdir(), "controlroom-demo-iceberg-"));
    const result = await runOdooDemo({
      dataDir,
      rows: 1_000,
      seed: 7,
      gitSha: GIT_SHA,
      tableFormat: "iceberg",
    });
    expect(result.error).toBeNull();
    expect(result.status).toBe("succeeded");
    expect(result.gold.map((t) => t.name).sort()).toEqual([
      "ar_ageing",
      "gl_balance_by_account_month",
      "open_invoices",
      "revenue_by_month_customer",
    ]);

    const catalogDatabase = await PGlite.create({ dataDir: join(dataDir, "iceberg-catalog") });
    try {
      const catalog = createIcebergSqlCatalog({ connection: catalogDatabase });
      const namespaces = (await catalog.listNamespaces()).map((ns) => ns.join("."));
      expect(namespaces).toEqual(expect.arrayContaining(["bronze_odoo", "silver_odoo"]));
      const store = createLocalObjectStore({ root: join(dataDir, "lake") });
      for (const gold of result.gold) {
        const table = openIcebergTable({
          store,
          catalog,
          identifier: defaultIdentifierOf(gold.location),
        });
        try {
          const snapshot = await table.snapshot({ version: gold.version });
          expect(snapshot.tableLocation).toBe(store.uri(gold.location));
          expect(snapshot.summary["controlroom.git_sha"]).toBe(GIT_SHA);
          const { rows } = await table.readRows({ version: gold.version });
          expect(rows.length).toBe(gold.rows);
          expect(gold.rows).toBeGreaterThan(0);
        } finally {
          await table.close();
        }
      }
    } finally {
      await catalogDatabase.close();
    }
  });
});
