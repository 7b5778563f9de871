import type { TableSchema } from "@controlroom/executor-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDeltaTable } from "../src/delta/index.js";
import type { S3ObjectStore } from "../src/s3/index.js";
import type { TrinoEngine } from "../src/trino/index.js";
import { s3TestServer, testS3Store } from "./s3-test-server.js";
import {
  TRINO_START_TIMEOUT_MS,
  type TrinoTestServer,
  trinoSkipReason,
  trinoTestEngine,
  trinoTestServer,
} from "./trino-test-server.js";

// Interop with Trino's Delta Lake connector, on the S3 test server both sides use:
// Trino reads a table our writer made, and our reader reads a table Trino wrote.
const skip = trinoSkipReason();

const schema: TableSchema = {
  fields: [
    { name: "id", type: "long", nullable: false },
    { name: "letter", type: "string", nullable: true },
    { name: "day", type: "date", nullable: true },
    { name: "amount", type: "decimal(12,3)", nullable: true },
    { name: "score", type: "integer", nullable: true },
    { name: "at", type: "timestamp", nullable: true },
    { name: "ok", type: "boolean", nullable: true },
    { name: "note", type: "string", nullable: true },
  ],
};
const provenance = { run_id: "run_trino_interop", phase: "gold", git_sha: "feedbeef" };

// One comparable text per row, whichever side read it: both read DATE/TIMESTAMP as
// Date and BIGINT as bigint; DECIMAL goes through a number on our side.
function canonical(rows: Record<string, unknown>[]): string[] {
  return rows
    .map((row) =>
      JSON.stringify(
        Object.keys(row)
          .sort()
          .map((key) => {
            const value = row[key];
            if (value === null || value === undefined) return [key, null];
            if (key === "amount") return [key, Number(value).toFixed(3)];
            if (value instanceof Date) return [key, value.toISOString()];
            return [key, String(value)];
          }),
      ),
    )
    .sort();
}

describe.skipIf(skip !== undefined)(
  `Delta interop with Trino${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    let server: TrinoTestServer;
    let engine: TrinoEngine;
    let store: S3ObjectStore;
    let base: string;
    const trinoSchema = `interop_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;

    beforeAll(async () => {
      server = await trinoTestServer();
      const s3 = s3TestServer();
      if (s3 === undefined) throw new Error("the Delta interop test needs the S3 test server");
      const prefix = `trino-interop-${crypto.randomUUID()}`;
      store = testS3Store(s3, { prefix });
      base = `s3://${s3.bucket}/${prefix}`;
      engine = trinoTestEngine(server, { catalog: "delta", schema: trinoSchema });
      await engine.execute(`CREATE SCHEMA delta.${trinoSchema} WITH (location = '${base}/schema')`);
    }, TRINO_START_TIMEOUT_MS);
    afterAll(async () => {
      // Unregister only: the files stay with the test prefix.
      for (const table of ["ours", "theirs"]) {
        await engine
          ?.execute(`CALL delta.system.unregister_table('${trinoSchema}', '${table}')`)
          .catch(() => undefined);
      }
      await engine?.execute(`DROP SCHEMA IF EXISTS delta.${trinoSchema}`).catch(() => undefined);
      await engine?.close();
    });

    it("reads our partitioned, checkpointed table with the same rows", async () => {
      const table = openDeltaTable({ store, location: "ours", checkpointInterval: 2 });
      await table.create({ schema, partitionColumns: ["letter", "day"], provenance });
      const letters = ["a", "b/c", "50% off", "😈", null];
      for (let commit = 0; commit < 5; commit++) {
        const rows = Array.from({ length: 4 }, (_, i) => {
          const id = commit * 10 + i;
          return {
            id: BigInt(id),
            letter: letters[(commit + i) % letters.length] ?? null,
            day: i % 3 === 0 ? null : `2024-0${1 + (i % 2)}-1${commit}`,
            amount: `${id}.125`,
            score: i === 2 ? null : id * 7,
            at: new Date(Date.UTC(2024, 5, 1, 12, commit, i, 250)),
            ok: i % 2 === 0,
            note: `row ${id} "quoted" 'single'`,
          };
        });
        await table.append({ rows }, { provenance });
      }
      const snapshot = await table.snapshot();
      expect(snapshot.version).toBe(5);
      expect(snapshot.checkpointVersion).toBe(4);
      const ours = await table.readRows({ snapshot });
      await table.close();
      expect(ours.rows).toHaveLength(20);

      // CALL takes no parameters; both values are ours (a UUID-based name and prefix).
      await engine.execute(
        `CALL delta.system.register_table(schema_name => '${trinoSchema}', table_name => 'ours', ` +
          `table_location => '${base}/ours')`,
      );
      const theirs = await engine.query("SELECT * FROM ours");
      expect(theirs.columns.map((column) => column.name)).toEqual(schema.fields.map((f) => f.name));
      expect(canonical(theirs.rows)).toEqual(canonical(ours.rows));
      const history = await engine.query<{ v: bigint }>(
        `SELECT max(version) AS v FROM "ours$history"`,
      );
      expect(history.rows).toEqual([{ v: 5n }]);
      // Trino prunes partitions by our partition values, special characters and NULL included.
      const filtered = await engine.query<{ n: bigint }>(
        "SELECT count(*) AS n FROM ours WHERE letter = ? AND day IS NULL",
        { params: ["b/c"] },
      );
      const expected = ours.rows.filter((row) => row.letter === "b/c" && row.day === null).length;
      expect(filtered.rows).toEqual([{ n: BigInt(expected) }]);
    }, 180_000);

    it("has Trino's writes read back by our reader with the same rows", async () => {
      await engine.execute(
        `CREATE TABLE theirs (id bigint, letter varchar, day date, amount decimal(12,3), ` +
          `at timestamp(3) with time zone, note varchar) ` +
          `WITH (location = '${base}/theirs', partitioned_by = ARRAY['letter'], checkpoint_interval = 2)`,
      );
      // Trino writes only printable ASCII partition values, hence no umlauts here.
      for (let batch = 0; batch < 3; batch++) {
        const values = Array.from({ length: 5 }, (_, i) => {
          const id = batch * 10 + i;
          const letter = i === 4 ? "NULL" : `'${["x", "y/z", "50% off"][i % 3]}'`;
          return `(${id}, ${letter}, DATE '2024-03-0${1 + i}', DECIMAL '${id}.250', TIMESTAMP '2024-03-01 10:00:0${i}.125 UTC', 'n${id}')`;
        });
        const inserted = await engine.execute(`INSERT INTO theirs VALUES ${values.join(", ")}`);
        expect(inserted).toEqual({ rowsAffected: 5 });
      }
      // Row-level changes rewrite files: our reader must apply Trino's removes too.
      expect(await engine.execute("DELETE FROM theirs WHERE id IN (1, 21)")).toEqual({
        rowsAffected: 2,
      });
      expect(await engine.execute("UPDATE theirs SET note = 'changed' WHERE id = 12")).toEqual({
        rowsAffected: 1,
      });
      const theirs = await engine.query("SELECT * FROM theirs");
      expect(theirs.rows).toHaveLength(13);

      const table = openDeltaTable({ store, location: "theirs" });
      const snapshot = await table.snapshot();
      const history = await engine.query<{ v: bigint }>(
        `SELECT max(version) AS v FROM "theirs$history"`,
      );
      expect(BigInt(snapshot.version)).toBe(history.rows[0]?.v);
      // Trino wrote a checkpoint (every 2 commits): our reader started from it.
      expect(snapshot.checkpointVersion).toBeGreaterThanOrEqual(2);
      const ours = await table.readRows({ snapshot });
      await table.close();
      expect(ours.columns.map((column) => column.name)).toEqual(theirs.columns.map((c) => c.name));
      expect(canonical(ours.rows)).toEqual(canonical(theirs.rows));
      expect(ours.rows.find((row) => row.id === 12n)?.note).toBe("changed");
    }, 180_000);
  },
);
