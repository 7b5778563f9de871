import { describe, expect, it } from "vitest";
import { defineMedallionExecutor } from "../../src/medallion/index.js";
import { BRONZE_AUDIT_COLUMNS } from "../../src/medallion/medallion-layout.js";
import type { Lakehouse, TableContentHash, TableVersionRef } from "../../src/ports/lakehouse.js";
import type { SqlEngine } from "../../src/ports/sql-engine.js";
import { runPhase } from "../../src/testing/run-phase.js";

// How the model phases write and fingerprint their tables: a few at once (the layer's
// models are independent), each hashed in the writing session when it can, else through
// the lakehouse afterwards.
const config = {
  id: "shop",
  version: "1.0.0",
  streams: [{ name: "orders", primaryKey: ["id"], cursorFields: ["write_date", "id"] }],
  silver: [{ name: "orders", sql: "SELECT * FROM current_orders" }],
  gold: [
    { name: "a", sql: "SELECT 1 AS n" },
    { name: "b", sql: "SELECT 2 AS n" },
    { name: "c", sql: "SELECT 3 AS n" },
  ],
};
const executor = defineMedallionExecutor(config);
const run = { run_id: "0196f5c4-7a1e-7c3d-9b2a-4e8f1d2c3b4a", spec_slug: "shop" };
const silver = {
  inputs: { orders: { location: "bronze/shop/orders", version: 7 } },
  tables: {
    orders: { location: "silver/shop/orders", version: 4, rows: 10, sha256: "a".repeat(64) },
  },
};

const hashOf = (ref: TableVersionRef): TableContentHash => ({
  sha256: `${ref.location.length}`.padStart(64, "0"),
  rowCount: ref.location.length,
  version: ref.version ?? -1,
});

function fakeLakehouse(options: {
  sessionHashes: boolean;
  failHashOf?: string;
  format?: string;
  writeHashes?: boolean;
}) {
  const log: string[] = [];
  const writeHashOptions: unknown[] = [];
  const sessionOptions: unknown[] = [];
  let running = 0;
  let maxRunning = 0;
  let writing = 0;
  let maxWriting = 0;
  const writeSignals: (AbortSignal | undefined)[] = [];
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
  const hash = async (where: string, ref: TableVersionRef) => {
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    log.push(`${where} hash ${ref.location}@${ref.version} start`);
    await tick();
    running -= 1;
    log.push(`${where} hash ${ref.location} end`);
    if (ref.location === options.failHashOf) throw new Error(`cannot hash ${ref.location}`);
    return options.format === undefined ? hashOf(ref) : { ...hashOf(ref), format: options.format };
  };
  const lake: Lakehouse = {
    format: "delta",
    dialect: "duckdb",
    uri: (location) => `file:///lake/${location}`,
    snapshot: async () => undefined,
    history: async () => [],
    appendRows: async (location) => ({ location, version: 0, rowCount: 0 }),
    async session(_views, work, sessionOptions_) {
      sessionOptions.push(sessionOptions_);
      log.push("session open");
      try {
        return await work({
          engine: {} as SqlEngine,
          async writeQuery(location, _sql, writeOptions) {
            writeSignals.push(writeOptions.signal);
            writing += 1;
            maxWriting = Math.max(maxWriting, writing);
            log.push(`write ${location} start`);
            await tick();
            await tick();
            writing -= 1;
            log.push(`write ${location} end`);
            writeHashOptions.push(writeOptions.contentHash);
            // A lakehouse that hashes what it writes: a digest of its own, to tell apart.
            const contentHash = options.writeHashes
              ? { sha256: "f".repeat(64), rowCount: 1, version: 9, format: "written" }
              : undefined;
            return { location, version: 9, rowCount: 1, contentHash };
          },
          ...(options.sessionHashes
            ? { contentHash: (ref: TableVersionRef) => hash("session", ref) }
            : {}),
        });
      } finally {
        log.push("session close");
      }
    },
    contentHash: (ref) => hash("lake", ref),
  };
  return {
    lake,
    log,
    sessionOptions,
    writeSignals,
    writeHashOptions,
    maxRunning: () => maxRunning,
    maxWriting: () => maxWriting,
  };
}

describe("model phase hashing", () => {
  it("writes two tables at a time, each lane hashing in the session what it wrote", async () => {
    const fake = fakeLakehouse({ sessionHashes: true });
    const result = await runPhase(executor, "gold", {
      run,
      upstream: { silver },
      adapters: { lakehouse: fake.lake },
    });
    expect(result.status).toBe("succeeded");
    const output = result.output as { tables: Record<string, { sha256: string; rows: number }> };
    for (const name of ["a", "b", "c"]) {
      const expected = hashOf({ location: `gold/shop/${name}`, version: 9 });
      expect(output.tables[name]).toMatchObject({
        sha256: expected.sha256,
        rows: expected.rowCount,
        version: 9,
      });
    }
    expect(fake.log.some((line) => line.startsWith("lake hash"))).toBe(false);
    expect(fake.maxWriting()).toBe(2);
    const at = (line: string) => fake.log.indexOf(line);
    // a and b start together; each is hashed after its own write; c waits for a free lane
    // (a's, which frees first), and the session closes after the last hash.
    expect(at("write gold/shop/b start")).toBeLessThan(at("write gold/shop/a end"));
    for (const name of ["a", "b", "c"]) {
      expect(at(`session hash gold/shop/${name}@9 start`)).toBeGreaterThan(
        at(`write gold/shop/${name} end`),
      );
    }
    expect(at("write gold/shop/c start")).toBeGreaterThan(at("session hash gold/shop/a end"));
    expect(at("session close")).toBeGreaterThan(at("session hash gold/shop/c end"));
  });

  it("asks each write for its hash, audit columns left out, and keeps the one it gives", async () => {
    for (const sessionHashes of [true, false]) {
      const fake = fakeLakehouse({ sessionHashes, writeHashes: true });
      const result = await runPhase(executor, "gold", {
        run,
        upstream: { silver },
        adapters: { lakehouse: fake.lake },
      });
      expect(result.status).toBe("succeeded");
      const output = result.output as {
        tables: Record<string, { sha256: string; rows: number; hash_format?: string }>;
      };
      for (const name of ["a", "b", "c"]) {
        expect(output.tables[name]).toMatchObject({
          sha256: "f".repeat(64),
          rows: 1,
          hash_format: "written",
        });
        expect(result.outputManifest[`gold.${name}`]).toMatchObject({ sha256: "f".repeat(64) });
      }
      // Nothing was hashed again, in the session or through the lakehouse.
      expect(fake.log.filter((line) => line.includes(" hash "))).toEqual([]);
      expect(fake.writeHashOptions).toEqual(
        Array(3).fill({ excludeColumns: BRONZE_AUDIT_COLUMNS }),
      );
    }
  });

  it("writes one table after another with modelConcurrency 1", async () => {
    const fake = fakeLakehouse({ sessionHashes: true });
    const sequential = defineMedallionExecutor({ ...config, modelConcurrency: 1 });
    const result = await runPhase(sequential, "gold", {
      run,
      upstream: { silver },
      adapters: { lakehouse: fake.lake },
    });
    expect(result.status).toBe("succeeded");
    expect(fake.sessionOptions).toEqual([expect.objectContaining({ concurrency: 1 })]);
    expect(fake.log.filter((line) => line !== "session open" && line !== "session close")).toEqual(
      ["a", "b", "c"].flatMap((name) => [
        `write gold/shop/${name} start`,
        `write gold/shop/${name} end`,
        `session hash gold/shop/${name}@9 start`,
        `session hash gold/shop/${name} end`,
      ]),
    );
  });

  it("hashes through the lakehouse when the session cannot", async () => {
    const fake = fakeLakehouse({ sessionHashes: false });
    const result = await runPhase(executor, "gold", {
      run,
      upstream: { silver },
      adapters: { lakehouse: fake.lake },
    });
    expect(result.status).toBe("succeeded");
    expect(
      fake.log.filter((line) => line.startsWith("lake hash") && line.endsWith("start")),
    ).toEqual([
      "lake hash gold/shop/a@9 start",
      "lake hash gold/shop/b@9 start",
      "lake hash gold/shop/c@9 start",
    ]);
    expect(fake.log.indexOf("lake hash gold/shop/a@9 start")).toBeGreaterThan(
      fake.log.indexOf("session close"),
    );
    expect(fake.maxRunning()).toBe(2);
  });

  it("fails the phase on a failed hash, stops the other lane, and closes after both settled", async () => {
    const fake = fakeLakehouse({ sessionHashes: true, failHashOf: "gold/shop/a" });
    const result = await runPhase(executor, "gold", {
      run,
      upstream: { silver },
      adapters: { lakehouse: fake.lake },
    });
    expect(result.status).toBe("failed");
    expect(result.error?.message).toMatch(/cannot hash gold\/shop\/a/);
    // b was being written beside a: its signal was aborted, and no lane took c.
    expect(fake.writeSignals).toHaveLength(2);
    expect(fake.writeSignals[1]?.aborted).toBe(true);
    expect(fake.log).not.toContain("write gold/shop/c start");
    expect(fake.log.indexOf("session close")).toBeGreaterThan(
      fake.log.indexOf("write gold/shop/b end"),
    );
  });

  it("tells the session every table it will write, and records each hash's format", async () => {
    for (const sessionHashes of [true, false]) {
      const fake = fakeLakehouse({ sessionHashes, format: "controlroom-rowset-v2+duckdb-v9" });
      const result = await runPhase(executor, "gold", {
        run,
        upstream: { silver },
        adapters: { lakehouse: fake.lake },
      });
      expect(result.status).toBe("succeeded");
      expect(fake.sessionOptions).toEqual([
        expect.objectContaining({
          writes: ["gold/shop/a", "gold/shop/b", "gold/shop/c"],
          // Two lanes (modelConcurrency's default) for three tables.
          concurrency: 2,
        }),
      ]);
      for (const name of ["a", "b", "c"]) {
        expect(result.outputManifest[`gold.${name}`]).toMatchObject({
          hash_format: "controlroom-rowset-v2+duckdb-v9",
        });
      }
    }
    // A lakehouse that does not say leaves the field out.
    const silent = fakeLakehouse({ sessionHashes: true });
    const result = await runPhase(executor, "gold", {
      run,
      upstream: { silver },
      adapters: { lakehouse: silent.lake },
    });
    expect(result.outputManifest["gold.a"]).not.toHaveProperty("hash_format");
  });
});
