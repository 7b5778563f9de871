import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SqlRow, TableSchema } from "@controlroom/executor-kit";
import { afterAll, describe, expect, it, vi } from "vitest";
import { engineConnectionSource } from "../src/delta/engine-connection-source.js";
import { createDeltaLakehouse } from "../src/delta/index.js";
import { createDuckDbEngine } from "../src/duckdb/index.js";
import { createLocalObjectStore } from "../src/local/index.js";
import { boundStore } from "./bound-store.js";

// Counts the DuckDB databases created, to see which one reads a checkpoint.
const databases = vi.hoisted(() => ({ created: 0 }));
vi.mock("@duckdb/node-api", async (importOriginal) => {
  const api = await importOriginal<typeof import("@duckdb/node-api")>();
  const DuckDBInstance = new Proxy(api.DuckDBInstance, {
    get(target, property, receiver) {
      if (property !== "create") return Reflect.get(target, property, receiver);
      return (...args: Parameters<typeof target.create>) => {
        databases.created++;
        return target.create(...args);
      };
    },
  });
  return { ...api, DuckDBInstance };
});

const provenance = { run_id: "run_test", phase: "gold", git_sha: "0123abc" };
const schema: TableSchema = {
  fields: [
    { name: "id", type: "long", nullable: false },
    { name: "at", type: "timestamp", nullable: true },
  ],
};
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function* batchesOf(...batches: SqlRow[][]): AsyncGenerator<SqlRow[]> {
  for (const batch of batches) yield batch;
}

const zone = async (run: (sql: string) => Promise<Record<string, unknown>[]>) =>
  (await run("SELECT current_setting('TimeZone') AS zone"))[0]?.zone;

describe("engineConnectionSource", () => {
  it("gives each lease a connection of its own: its settings stay off the engine's calls", async () => {
    const engine = createDuckDbEngine({ threads: 1 });
    try {
      const source = engineConnectionSource(async () => engine);
      const lease = source.lease();
      await lease.connection.run("SET TimeZone = 'Asia/Tokyo'");
      const read = async (sql: string) =>
        (await lease.connection.runAndReadAll(sql)).getRowObjectsJS();
      expect(await zone(read)).toBe("Asia/Tokyo");
      expect(await zone(async (sql) => (await engine.query(sql)).rows)).toBe("UTC");
      await lease.release();
      await lease.release(); // twice is harmless
    } finally {
      await engine.close();
    }
  });

  it("asks for the engine only when a lease runs a statement", async () => {
    let asked = 0;
    const source = engineConnectionSource(async () => {
      asked++;
      return createDuckDbEngine();
    });
    await source.lease().release();
    expect(asked).toBe(0);
  });
});

describe("a Delta lakehouse session", () => {
  it("reads checkpoints on its own engine, on a connection of their own", async () => {
    const root = await mkdtemp(join(tmpdir(), "controlroom-session-engine-"));
    dirs.push(root);
    const store = createLocalObjectStore({ root });
    const writer = createDeltaLakehouse({ store, checkpointInterval: 2 });
    for (let id = 1; id <= 4; id++) {
      await writer.appendRows(
        "gold/t",
        batchesOf([{ id, at: new Date(Date.UTC(2026, 0, id, 12)) }]),
        { schema, provenance },
      );
    }
    const hashOfV2 = await writer.contentHash({ location: "gold/t", version: 2 });
    await writer.close();
    expect(await readdir(join(root, "gold/t/_delta_log"))).toContain(
      "00000000000000000002.checkpoint.parquet",
    );

    // A new lakehouse: nothing cached, so every version read replays from a checkpoint.
    const lake = createDeltaLakehouse({ store, checkpointInterval: 2 });
    databases.created = 0;
    const seen = await lake.session(
      { t: { location: "gold/t" } },
      async (session) => {
        const query = async (sql: string) => (await session.engine.query(sql)).rows;
        // A setting of the user's SQL: the checkpoint reader's UTC must not replace it.
        await session.engine.execute("SET GLOBAL TimeZone = 'America/New_York'");
        // Version 2 is not cached (the view read version 3): it is read from its
        // checkpoint, now, after the setting.
        const hash = await session.contentHash?.({ location: "gold/t", version: 2 });
        const written = await session.writeQuery("gold/t", "SELECT * FROM t WHERE id > 2", {
          mode: "overwrite",
          provenance,
        });
        return {
          hash,
          written,
          zone: await zone(query),
          rows: await query("SELECT count(*) AS n FROM t"),
        };
      },
      { writes: ["gold/t"] },
    );
    // The session's own database, and no second one for the checkpoints.
    expect(databases.created).toBe(1);
    expect(seen.zone).toBe("America/New_York");
    expect(seen.hash?.sha256).toBe(hashOfV2.sha256);
    expect(seen.written).toMatchObject({ version: 4, rowCount: 2 });
    expect(seen.rows).toEqual([{ n: 4n }]);
    await lake.close();
  });

  it("leaves the cores of the statements its work runs at once to them", async () => {
    const root = await mkdtemp(join(tmpdir(), "controlroom-session-concurrency-"));
    dirs.push(root);
    const lake = createDeltaLakehouse({
      store: createLocalObjectStore({ root }),
      engine: { threads: 4 },
    });
    try {
      const externalThreads = (concurrency?: number) =>
        lake.session(
          {},
          async (session) =>
            (await session.engine.query("SELECT current_setting('external_threads') AS n")).rows[0]
              ?.n,
          concurrency === undefined ? {} : { concurrency },
        );
      expect(await externalThreads(3)).toBe(3n);
      // At most the engine's threads; and DuckDB's default without the hint.
      expect(await externalThreads(6)).toBe(4n);
      expect(await externalThreads()).toBe(1n);
      await expect(externalThreads(0)).rejects.toMatchObject({ code: "DUCKDB_INVALID_ARGUMENT" });
    } finally {
      await lake.close();
    }
  });

  it("stops reading ahead when its work is over, and waits for nothing more", async () => {
    const root = await mkdtemp(join(tmpdir(), "controlroom-session-ahead-"));
    dirs.push(root);
    const inner = createLocalObjectStore({ root });
    // Reads of gold/slow's log hang until their signal aborts.
    const seen: string[] = [];
    const store = boundStore(inner);
    store.get = (key, options) => {
      if (!key.startsWith("gold/slow/")) return inner.get(key, options);
      seen.push("read");
      return new Promise((_, reject) => {
        const signal = options?.signal;
        signal?.addEventListener("abort", () => {
          seen.push("aborted");
          reject(signal.reason);
        });
      });
    };
    const lake = createDeltaLakehouse({ store });
    await lake.appendRows("silver/t", batchesOf([{ id: 1 }]), { schema, provenance });
    const failure = new Error("the work failed before writing");
    await expect(
      lake.session(
        { t: { location: "silver/t" } },
        async () => {
          throw failure;
        },
        { writes: ["gold/slow"] },
      ),
    ).rejects.toBe(failure);
    expect(seen).toEqual(["read", "aborted"]);
    await lake.close();
  });
});
