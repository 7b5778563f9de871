import { getEventListeners } from "node:events";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ObjectStore, TableSchema, TableSnapshot } from "@controlroom/executor-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDeltaLakehouse,
  createDeltaTableFormat,
  DeltaConcurrentModificationError,
  type DeltaSnapshot,
  DeltaSnapshotCache,
  openDeltaTable,
} from "../src/delta/index.js";
import { createLocalObjectStore } from "../src/local/index.js";
import { boundStore } from "./bound-store.js";
import { conformanceChecks } from "./delta-conformance-cases.js";

const provenance = { run_id: "run_test", phase: "gold", git_sha: "0123abc" };
const schema: TableSchema = {
  fields: [
    { name: "id", type: "long", nullable: false },
    { name: "day", type: "date", nullable: true },
  ],
};
const file = (name: string, records: number, day?: string) => ({
  path: `${name}.parquet`,
  sizeBytes: 100 + records,
  recordCount: records,
  ...(day === undefined ? {} : { partitionValues: { day } }),
});

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "controlroom-delta-cache-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A store that counts reads of `_delta_log/` objects, to see when a log is replayed. */
function countingStore(
  inner: ObjectStore,
): ObjectStore & { logReads: number; logKeys: string[]; failPuts: boolean } {
  const counters = { logReads: 0, logKeys: [] as string[], failPuts: false };
  const overrides: Partial<ObjectStore> = {
    get: (key, options) => {
      if (key.includes("_delta_log/")) {
        counters.logReads++;
        counters.logKeys.push(key);
      }
      return inner.get(key, options);
    },
    putIfAbsent: (key, data, options) => {
      if (counters.failPuts) return Promise.reject(new Error("the store is down"));
      return inner.putIfAbsent(key, data, options);
    },
  };
  return new Proxy(inner, {
    get(target, name) {
      if (name === "logReads" || name === "failPuts" || name === "logKeys") return counters[name];
      const own = overrides[name as keyof ObjectStore];
      if (own !== undefined) return own;
      const value = Reflect.get(target, name);
      return typeof value === "function" ? value.bind(target) : value;
    },
    set(_target, name, value) {
      if (name !== "logReads" && name !== "failPuts") return false;
      (counters as Record<string, unknown>)[name] = value;
      return true;
    },
  }) as ObjectStore & { logReads: number; logKeys: string[]; failPuts: boolean };
}

/** A version as a reader without a cache sees it. */
async function fresh(store: ObjectStore, location: string, version?: number) {
  const table = openDeltaTable({ store, location });
  try {
    return await table.snapshot({ version });
  } finally {
    await table.close();
  }
}

// What may differ between reading a version from a checkpoint and replaying its JSON
// commits, which the protocol treats as the same: the checkpoint the replay started
// from, optional fields a checkpoint spells `null` and a commit leaves out, and the
// statistics a table's settings keep out of its checkpoints (`stats` of `snapshot`
// are kept only where `reference` has them), and the order of the files.
function comparable(snapshot: TableSnapshot | undefined, reference?: TableSnapshot) {
  if (snapshot === undefined) return undefined;
  const { checkpointVersion: _ignored, ...rest } = snapshot as DeltaSnapshot;
  const withStats = new Set(
    (reference ?? snapshot).files.filter((f) => "stats" in f).map((f) => f.path),
  );
  return {
    ...rest,
    protocol: withoutNulls(rest.protocol),
    metadata: withoutNulls(rest.metadata),
    // A set: a checkpoint lists its files in its own order.
    files: rest.files
      .map(({ stats, recordCount, ...file }) =>
        withStats.has(file.path) ? { ...file, stats, recordCount } : file,
      )
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
  };
}

function withoutNulls<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null)) as Partial<T>;
}

describe("DeltaSnapshotCache through the table format", () => {
  it("gives the same snapshots as fresh loads, across overwrites, partitions and checkpoints", async () => {
    const store = createLocalObjectStore({ root });
    const tables = createDeltaTableFormat({ store, checkpointInterval: 3 });
    const table = { location: "same" };
    await tables.commit(table, {
      operation: "create",
      add: [file("a", 1, "2024-01-01")],
      schema,
      partitionColumns: ["day"],
      provenance,
    });
    for (let i = 0; i < 7; i++) {
      const latest = await tables.snapshot(table);
      await tables.commit(
        table,
        i % 3 === 2
          ? {
              operation: "overwrite",
              add: [file(`o${i}`, i + 1, "2024-01-02")],
              remove: latest?.files.map((f) => f.path) ?? [],
              expectedVersion: latest?.version,
              provenance,
            }
          : { operation: "append", add: [file(`p${i}`, i + 1, "2024-01-03")], provenance },
      );
    }
    const cached = [];
    for (let version = 0; version <= 7; version++) {
      cached.push(comparable(await tables.snapshot(table, { version })));
      expect(cached[version]).toEqual(comparable(await fresh(store, "same", version)));
    }
    expect(comparable(await tables.snapshot(table))).toEqual(cached[7]);

    // The checkpoints were written from cached versions: without them, a fresh load
    // replays the JSON commits only, which must give the same versions.
    const log = join(root, "same", "_delta_log");
    const checkpoints = (await readdir(log)).filter((name) => !/^\d{20}\.json$/.test(name));
    expect(checkpoints.sort()).toEqual([
      "00000000000000000003.checkpoint.parquet",
      "00000000000000000006.checkpoint.parquet",
      "_last_checkpoint",
    ]);
    for (const name of checkpoints) await rm(join(log, name));
    for (let version = 0; version <= 7; version++) {
      expect(comparable(await fresh(store, "same", version))).toEqual(cached[version]);
    }
  });

  it("answers a version it committed from memory, and checks the log only for newer ones", async () => {
    const store = countingStore(createLocalObjectStore({ root }));
    const tables = createDeltaTableFormat({ store });
    const table = { location: "memory" };
    await tables.commit(table, { operation: "create", add: [file("a", 1)], schema, provenance });
    const { version } = await tables.commit(table, {
      operation: "append",
      add: [file("b", 2)],
      provenance,
    });
    store.logReads = 0;
    const committed = await tables.snapshot(table, { version });
    const latest = await tables.snapshot(table);
    expect(store.logReads).toBe(0);
    expect(committed?.files.map((f) => f.path).sort()).toEqual(["a.parquet", "b.parquet"]);
    expect(latest?.version).toBe(version);
  });

  it("sees versions another writer committed after the cached one", async () => {
    const store = countingStore(createLocalObjectStore({ root }));
    const tables = createDeltaTableFormat({ store });
    const table = { location: "other-writer" };
    await tables.commit(table, { operation: "create", add: [file("a", 1)], schema, provenance });
    expect((await tables.snapshot(table))?.version).toBe(0);

    // Another process: its own store object and no shared cache.
    const other = createDeltaTableFormat({ store: createLocalObjectStore({ root }) });
    await other.commit(table, { operation: "append", add: [file("b", 2)], provenance });
    await other.commit(table, { operation: "append", add: [file("c", 3)], provenance });

    store.logReads = 0;
    const latest = await tables.snapshot(table);
    expect(latest?.version).toBe(2);
    // Only the two new commits were read, not the whole log again.
    expect(store.logReads).toBe(2);
    expect(comparable(latest)).toEqual(comparable(await fresh(store, "other-writer")));
  });

  it("is not poisoned by a commit that failed or lost its race", async () => {
    const store = countingStore(createLocalObjectStore({ root }));
    const tables = createDeltaTableFormat({ store });
    const table = { location: "failed" };
    await tables.commit(table, { operation: "create", add: [file("a", 1)], schema, provenance });
    await tables.commit(table, { operation: "append", add: [file("b", 2)], provenance });

    store.failPuts = true;
    await expect(
      tables.commit(table, { operation: "append", add: [file("lost", 9)], provenance }),
    ).rejects.toThrow("the store is down");
    store.failPuts = false;
    await expect(
      tables.commit(table, {
        operation: "overwrite",
        add: [file("stale", 9)],
        remove: ["a.parquet"],
        expectedVersion: 0,
        provenance,
      }),
    ).rejects.toBeInstanceOf(DeltaConcurrentModificationError);

    const latest = await tables.snapshot(table);
    expect(latest?.version).toBe(1);
    expect(latest?.files.map((f) => f.path).sort()).toEqual(["a.parquet", "b.parquet"]);
    expect(await tables.snapshot(table, { version: 2 }).catch((error) => error.code)).toBe(
      "DELTA_VERSION_NOT_FOUND",
    );
  });

  it("notices a table deleted and created anew at the same location", async () => {
    const store = createLocalObjectStore({ root });
    const tables = createDeltaTableFormat({ store });
    const table = { location: "recreated" };
    await tables.commit(table, { operation: "create", add: [file("old", 1)], schema, provenance });
    await tables.commit(table, { operation: "append", add: [file("old2", 1)], provenance });
    expect((await tables.snapshot(table))?.version).toBe(1);

    await rm(join(root, "recreated"), { recursive: true, force: true });
    const other = createDeltaTableFormat({ store: createLocalObjectStore({ root }) });
    await other.commit(table, { operation: "create", add: [file("new", 5)], schema, provenance });

    expect((await tables.snapshot(table))?.files.map((f) => f.path)).toEqual(["new.parquet"]);
    expect((await tables.snapshot(table, { version: 0 }))?.files.map((f) => f.path)).toEqual([
      "new.parquet",
    ]);
    await expect(tables.snapshot(table, { version: 1 })).rejects.toMatchObject({
      code: "DELTA_VERSION_NOT_FOUND",
    });
  });

  it("hands out snapshots a caller may change without changing the cache", async () => {
    const store = createLocalObjectStore({ root });
    const tables = createDeltaTableFormat({ store });
    const table = { location: "copies" };
    await tables.commit(table, { operation: "create", add: [file("a", 1)], schema, provenance });
    const first = await tables.snapshot(table);
    first?.files.push(file("bogus", 1) as never);
    first?.schema.fields.pop();
    if (first !== undefined) first.properties.x = "y";
    const second = await tables.snapshot(table);
    expect(second?.files.map((f) => f.path)).toEqual(["a.parquet"]);
    expect(second?.schema.fields).toHaveLength(2);
    expect(second?.properties).toEqual({});
  });

  it("can be turned off", async () => {
    const store = countingStore(createLocalObjectStore({ root }));
    const tables = createDeltaTableFormat({ store, snapshotCache: false });
    const table = { location: "off" };
    await tables.commit(table, { operation: "create", add: [file("a", 1)], schema, provenance });
    store.logReads = 0;
    await tables.snapshot(table, { version: 0 });
    expect(store.logReads).toBeGreaterThan(0);
  });
});

describe("DeltaSnapshotCache bounds", () => {
  it("evicts the least recently used versions and skips versions larger than the bound", async () => {
    const store = createLocalObjectStore({ root });
    const writer = createDeltaTableFormat({ store, snapshotCache: false });
    const table = { location: "bounds" };
    await writer.commit(table, { operation: "create", add: [file("a", 1)], schema, provenance });
    for (const name of ["b", "c", "d"]) {
      await writer.commit(table, { operation: "append", add: [file(name, 1)], provenance });
    }
    const cache = new DeltaSnapshotCache({ maxVersions: 2, maxFiles: 8 });
    const tables = createDeltaTableFormat({ store, snapshotCache: cache });
    await tables.snapshot(table, { version: 0 });
    await tables.snapshot(table, { version: 1 });
    await tables.snapshot(table, { version: 0 }); // now the most recently used
    await tables.snapshot(table, { version: 2 });
    expect(cache.size).toBe(2);
    expect(cache.get(store, "bounds", 0)).toBeDefined();
    expect(cache.get(store, "bounds", 1)).toBeUndefined();
    expect(cache.get(store, "bounds", 2)).toBeDefined();

    // A version weighs its files plus one: versions 0, 2 and 3 weigh 2 + 4 + 5 > 8.
    await tables.snapshot(table, { version: 3 });
    expect(cache.get(store, "bounds", 2)).toBeUndefined();
    expect(cache.get(store, "bounds", 3)?.snapshot.files).toHaveLength(4);

    const tiny = new DeltaSnapshotCache({ maxFiles: 2 });
    await createDeltaTableFormat({ store, snapshotCache: tiny }).snapshot(table);
    expect(tiny.size).toBe(0);
  });

  it("keeps tables of different stores apart", async () => {
    const cache = new DeltaSnapshotCache();
    const one = createLocalObjectStore({ root });
    const two = createLocalObjectStore({ root: join(root, "elsewhere") });
    const writer = createDeltaTableFormat({ store: two, snapshotCache: cache });
    await writer.commit({ location: "t" }, { operation: "create", add: [], schema, provenance });
    expect(cache.get(two, "t", 0)).toBeDefined();
    expect(cache.get(one, "t", 0)).toBeUndefined();
  });
});

describe("DeltaLakehouse with the cache", () => {
  it("hashes the version a session just wrote without reading its log again", async () => {
    const dir = await mkdtemp(join(tmpdir(), "controlroom-delta-cache-lake-"));
    try {
      const store = countingStore(createLocalObjectStore({ root: dir }));
      const lake = createDeltaLakehouse({ store });
      const reads = await lake.session({}, async (session) => {
        const { version } = await session.writeQuery("gold/t", "SELECT range AS id FROM range(5)", {
          mode: "overwrite",
          provenance,
        });
        store.logReads = 0;
        const hash = await session.contentHash?.({ location: "gold/t", version });
        expect(hash?.rowCount).toBe(5);
        return store.logReads;
      });
      expect(reads).toBe(0);
      await lake.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reads the logs of the tables a session says it will write before its work starts", async () => {
    const dir = await mkdtemp(join(tmpdir(), "controlroom-delta-cache-writes-"));
    try {
      const store = countingStore(createLocalObjectStore({ root: dir }));
      const lake = createDeltaLakehouse({ store, checkpointInterval: 2 });
      const overwrite = { mode: "overwrite", provenance } as const;
      // A table with a checkpoint and commits after it.
      for (let run = 0; run < 4; run++) {
        await lake.session({}, (session) =>
          session.writeQuery("gold/a", `SELECT range AS id FROM range(${run + 1})`, overwrite),
        );
      }
      const fresh = createDeltaLakehouse({ store });
      store.logKeys.length = 0;
      const readsAtStart = await fresh.session(
        {},
        async (session) => {
          const atStart = [...store.logKeys];
          const a = await session.writeQuery("gold/a", "SELECT 7 AS id", overwrite);
          // "gold/new" has no table yet: the hint does not stop the write creating it.
          const created = await session.writeQuery("gold/new", "SELECT 1 AS id", overwrite);
          expect([a.version, created.version]).toEqual([4, 0]);
          return atStart;
        },
        { writes: ["gold/a", "gold/new", "gold/a", "gold/never_written"] },
      );
      // The read-ahead had started before the work ran (a few tables at a time, in order)...
      expect(readsAtStart).toContain("gold/a/_delta_log/_last_checkpoint");
      for (const table of ["gold/a", "gold/new", "gold/never_written"]) {
        expect(store.logKeys).toContain(`${table}/_delta_log/_last_checkpoint`);
      }
      // ...and the write found gold/a cached: its log was loaded once, not twice.
      const commitReads = store.logKeys.filter(
        (key) => key === "gold/a/_delta_log/00000000000000000003.json",
      );
      expect(commitReads).toHaveLength(1);
      expect((await fresh.contentHash({ location: "gold/a" })).rowCount).toBe(1);
      await Promise.all([lake.close(), fresh.close()]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("DeltaLakehouse session logs", () => {
  it("reads the logs of all of a session's views at once, with one listener on the caller's signal", async () => {
    const dir = await mkdtemp(join(tmpdir(), "controlroom-delta-session-logs-"));
    try {
      const inner = createLocalObjectStore({ root: dir });
      const names = Array.from({ length: 12 }, (_, index) => `silver/t${index}`);
      const tables = createDeltaTableFormat({ store: inner });
      for (const location of names) {
        await tables.commit({ location }, { operation: "create", add: [], schema, provenance });
      }
      const caller = new AbortController();
      let inFlight = 0;
      let mostInFlight = 0;
      let mostCallerListeners = 0;
      // Each log read holds a listener on the signal it is given while it waits, as a
      // remote store's request does.
      const store = boundStore(inner);
      store.get = async (key, options) => {
        if (key.endsWith("/_last_checkpoint")) {
          const listener = () => undefined;
          options?.signal?.addEventListener("abort", listener);
          inFlight++;
          mostInFlight = Math.max(mostInFlight, inFlight);
          mostCallerListeners = Math.max(
            mostCallerListeners,
            getEventListeners(caller.signal, "abort").length,
          );
          await new Promise((resolve) => setTimeout(resolve, 20));
          inFlight--;
          options?.signal?.removeEventListener("abort", listener);
        }
        return inner.get(key, options);
      };
      const warnings: Error[] = [];
      const onWarning = (warning: Error) => warnings.push(warning);
      process.on("warning", onWarning);
      const lake = createDeltaLakehouse({ store });
      try {
        const views = Object.fromEntries(names.map((location, i) => [`v${i}`, { location }]));
        const counted = await lake.session(
          views,
          async (session) =>
            (await session.engine.query<{ n: bigint }>("SELECT count(*) AS n FROM v11")).rows,
          { signal: caller.signal },
        );
        expect(counted).toEqual([{ n: 0n }]);
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        process.off("warning", onWarning);
        await lake.close();
      }
      // All twelve logs were read side by side, not four at a time...
      expect(mostInFlight).toBe(12);
      // ...on a signal of the session's own: the caller's signal carried one listener.
      expect(mostCallerListeners).toBe(1);
      expect(getEventListeners(caller.signal, "abort")).toHaveLength(0);
      expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("DeltaSnapshotCache on tables other engines wrote", () => {
  // Every fixture table readable from version 0: each version read through the cache
  // (version 0 from the log, every later one replayed onto the one before it) must
  // equal a fresh load, and so must the latest.
  const tables = [
    ...new Set(
      conformanceChecks()
        .filter((check) => "parquet" in check.expected)
        .map((check) => check.table),
    ),
  ];

  it("finds fixture tables", () => {
    expect(tables.length).toBeGreaterThan(20);
  });

  it("replays every later version onto the cached one exactly as a fresh load does", async () => {
    let compared = 0;
    for (const dir of tables) {
      const store = createLocalObjectStore({ root: dir });
      const latest = await fresh(store, "");
      const format = createDeltaTableFormat({ store });
      for (let version = 0; version <= latest.version; version++) {
        const expected = await fresh(store, "", version).catch((error: { code?: string }) => ({
          error: error.code,
        }));
        const got = await format
          .snapshot({ location: "" }, { version })
          .catch((error: { code?: string }) => ({ error: error.code }));
        if ("error" in expected) {
          expect({ dir, version, got }).toEqual({ dir, version, got: expected });
          continue;
        }
        expect({ dir, version, got: comparable(got as DeltaSnapshot, expected) }).toEqual({
          dir,
          version,
          got: comparable(expected),
        });
        compared++;
      }
      expect(comparable(await format.snapshot({ location: "" }), latest)).toEqual(
        comparable(latest),
      );
    }
    expect(compared).toBeGreaterThan(tables.length);
  });
});
