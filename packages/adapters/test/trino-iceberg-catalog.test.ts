import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrinoEngine } from "../src/trino/index.js";
import {
  TRINO_START_TIMEOUT_MS,
  type TrinoTestServer,
  trinoSkipReason,
  trinoTestEngine,
  trinoTestServer,
} from "./trino-test-server.js";

// The test server's iceberg catalog: tables in the S3 test store, the Iceberg JDBC
// catalog in the test Postgres. Checks that the catalog works end to end, for the
// suites that compare Iceberg tables with Trino.
const skip = trinoSkipReason();

describe.skipIf(skip !== undefined)(
  `Trino iceberg catalog${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    let server: TrinoTestServer;
    let engine: TrinoEngine;
    const schema = `catalog_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
    beforeAll(async () => {
      server = await trinoTestServer();
      engine = trinoTestEngine(server, { catalog: "iceberg" });
    }, TRINO_START_TIMEOUT_MS);
    afterAll(async () => {
      await engine?.execute(`DROP TABLE IF EXISTS ${schema}.t`).catch(() => undefined);
      await engine?.execute(`DROP SCHEMA IF EXISTS ${schema}`).catch(() => undefined);
      await engine?.close();
    });

    it("creates, writes and reads an Iceberg table with snapshots", async (context) => {
      if (!server.iceberg) context.skip("the server has no iceberg catalog (no test Postgres)");
      await engine.execute(`CREATE SCHEMA ${schema}`);
      await engine.execute(
        `CREATE TABLE ${schema}.t (id bigint, day date) WITH (partitioning = ARRAY['day'])`,
      );
      await engine.execute(
        `INSERT INTO ${schema}.t VALUES (1, DATE '2024-01-01'), (2, DATE '2024-01-02')`,
      );
      await engine.execute(`INSERT INTO ${schema}.t VALUES (3, DATE '2024-01-01')`);
      const { rows } = await engine.query(`SELECT id, day FROM ${schema}.t ORDER BY id`);
      expect(rows).toEqual([
        { id: 1n, day: new Date("2024-01-01T00:00:00Z") },
        { id: 2n, day: new Date("2024-01-02T00:00:00Z") },
        { id: 3n, day: new Date("2024-01-01T00:00:00Z") },
      ]);
      const snapshots = await engine.query(`SELECT count(*) AS n FROM ${schema}."t$snapshots"`);
      expect(snapshots.rows).toEqual([{ n: 3n }]);
      const location = await engine.query<{ path: string }>(
        `SELECT "$path" AS path FROM ${schema}.t LIMIT 1`,
      );
      expect(location.rows[0]?.path).toMatch(new RegExp(`^s3://${server.bucket}/trino/`));
    }, 120_000);
  },
);
