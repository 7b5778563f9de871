import { cp, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ObjectInfo, ObjectStore, TableSchema } from "@controlroom/executor-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DeltaTable, openDeltaTable, openDuckDbSession } from "../src/delta/index.js";
import { createLocalObjectStore } from "../src/local/index.js";
import { boundStore } from "./bound-store.js";

const provenance = { run_id: "run_test", phase: "silver", git_sha: "0123abc" };
const schema: TableSchema = {
  fields: [
    { name: "id", type: "long", nullable: false },
    { name: "letter", type: "string", nullable: true },
  ],
};
const pad = (version: number) => String(version).padStart(20, "0");

/** A store that records what `list` was asked and gave, and can hide `_last_checkpoint`. */
function observed(inner: ObjectStore, options: { hideHint?: boolean; noStartAfter?: boolean }) {
  const calls: { startAfter: string | undefined; yielded: number }[] = [];
  const store = boundStore(inner);
  store.get = (key, getOptions) =>
    options.hideHint && key.endsWith("/_last_checkpoint")
      ? Promise.resolve(undefined)
      : inner.get(key, getOptions);
  store.list = async function* (prefix, listOptions) {
    const given = listOptions as { startAfter?: string; signal?: AbortSignal } | undefined;
    const call = { startAfter: given?.startAfter, yielded: 0 };
    calls.push(call);
    const passed = options.noStartAfter ? { signal: given?.signal } : listOptions;
    for await (const info of inner.list(prefix, passed) as AsyncIterable<ObjectInfo>) {
      call.yielded += 1;
      yield info;
    }
  };
  return { store, calls };
}

async function summary(table: DeltaTable, version?: number) {
  const snapshot = await table.snapshot(version === undefined ? {} : { version });
  return {
    version: snapshot.version,
    checkpointVersion: snapshot.checkpointVersion,
    timestamp: snapshot.timestamp?.getTime(),
    files: snapshot.files.map((file) => file.path).sort(),
    schema: snapshot.schema,
  };
}

describe("loading a Delta snapshot from _last_checkpoint", () => {
  let root: string;
  let tableDir: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "controlroom-delta-hint-"));
    tableDir = join(root, "t");
    // Checkpoints at 3, 6 and 9; commits up to 10; an overwrite at 5 removes files.
    const table = openDeltaTable({
      store: createLocalObjectStore({ root }),
      location: "t",
      checkpointInterval: 3,
    });
    await table.create({ schema, partitionColumns: ["letter"], provenance });
    for (let i = 1; i <= 10; i++) {
      const rows = [{ id: BigInt(i), letter: i % 2 === 0 ? "even" : "odd" }];
      await table.append({ rows }, { provenance, ...(i === 5 ? { mode: "overwrite" } : {}) });
    }
    await table.close();
    expect(
      (await readdir(join(tableDir, "_delta_log"))).filter((n) => n.includes("checkpoint.")),
    ).toHaveLength(3);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  /** A copy of the table, changed by `edit`, read with and without the hint. */
  async function compare(name: string, edit: (log: string) => Promise<void>, versions: number[]) {
    const dir = join(root, name);
    await cp(tableDir, join(dir, "t"), { recursive: true });
    await edit(join(dir, "t", "_delta_log"));
    const local = createLocalObjectStore({ root: dir });
    const hinted = observed(local, {});
    const full = observed(local, { hideHint: true });
    const ours = openDeltaTable({ store: hinted.store, location: "t" });
    const reference = openDeltaTable({ store: full.store, location: "t" });
    try {
      for (const version of [undefined, ...versions]) {
        expect(await summary(ours, version)).toEqual(await summary(reference, version));
      }
      return { calls: hinted.calls, reference: await summary(reference) };
    } finally {
      await ours.close();
      await reference.close();
    }
  }

  it("lists only from the checkpoint it names, with the same snapshot", async () => {
    const { calls, reference } = await compare("plain", async () => {}, [9, 10]);
    expect(reference).toMatchObject({ version: 10, checkpointVersion: 9 });
    // The latest version: one listing that starts at checkpoint 9.
    expect(calls[0]).toEqual({ startAfter: `t/_delta_log/${pad(9)}`, yielded: 4 });
  });

  it("takes the whole log for a version before the hint, and by timestamp", async () => {
    const { calls } = await compare("older", async () => {}, [0, 2, 4, 5, 8]);
    expect(calls.some((call) => call.startAfter === undefined)).toBe(true);
    const table = openDeltaTable({ store: createLocalObjectStore({ root }), location: "t" });
    const at = (await table.snapshot({ version: 4 })).timestamp as Date;
    expect((await table.snapshot({ timestamp: at })).version).toBe(4);
    await table.close();
  });

  it("uses later checkpoints than a stale hint names", async () => {
    const { reference } = await compare(
      "stale",
      (log) => writeFile(join(log, "_last_checkpoint"), JSON.stringify({ version: 3, size: 1 })),
      [3, 6, 10],
    );
    expect(reference.checkpointVersion).toBe(9);
  });

  it("falls back to the whole log when the hint is wrong, missing or corrupt", async () => {
    const hints = [
      JSON.stringify({ version: 99 }),
      JSON.stringify({ version: 7 }),
      JSON.stringify({ version: "9" }),
      "{not json",
    ];
    for (const [index, hint] of hints.entries()) {
      await compare(
        `hint-${index}`,
        (log) => writeFile(join(log, "_last_checkpoint"), hint),
        [5, 9],
      );
    }
    await compare("no-hint", (log) => rm(join(log, "_last_checkpoint")), [9]);
  });

  it("falls back when the named checkpoint is gone or unreadable", async () => {
    const gone = await compare(
      "gone",
      (log) => rm(join(log, `${pad(9)}.checkpoint.parquet`)),
      [8, 10],
    );
    expect(gone.reference.checkpointVersion).toBe(6);
    const corrupt = await compare(
      "corrupt",
      (log) => writeFile(join(log, `${pad(9)}.checkpoint.parquet`), "not parquet"),
      [10],
    );
    expect(corrupt.reference.checkpointVersion).toBe(6);
    // Without the commits before the checkpoint, only the checkpoint can say anything.
    await compare(
      "trimmed",
      async (log) => {
        for (let v = 0; v <= 8; v++) await rm(join(log, `${pad(v)}.json`));
      },
      [9, 10],
    );
  });

  it("reads a multi-part checkpoint at the hint", async () => {
    const { calls, reference } = await compare(
      "multi-part",
      async (log) => {
        const classic = join(log, `${pad(9)}.checkpoint.parquet`);
        const session = await openDuckDbSession();
        try {
          const part = (n: number) =>
            join(log, `${pad(9)}.checkpoint.${pad(n).slice(10)}.${pad(2).slice(10)}.parquet`);
          await session.run(
            `COPY (SELECT * FROM read_parquet('${classic}') WHERE "add" IS NULL) TO '${part(1)}' (FORMAT parquet)`,
          );
          await session.run(
            `COPY (SELECT * FROM read_parquet('${classic}') WHERE "add" IS NOT NULL) TO '${part(2)}' (FORMAT parquet)`,
          );
        } finally {
          await session.close();
        }
        await rm(classic);
      },
      [9, 10],
    );
    expect(reference.checkpointVersion).toBe(9);
    expect(calls[0]?.startAfter).toBe(`t/_delta_log/${pad(9)}`);
  });

  it("gives the same snapshot through a store that ignores startAfter", async () => {
    const dir = join(root, "ignoring");
    await cp(tableDir, join(dir, "t"), { recursive: true });
    const local = createLocalObjectStore({ root: dir });
    const ignoring = observed(local, { noStartAfter: true });
    const ours = openDeltaTable({ store: ignoring.store, location: "t" });
    const reference = openDeltaTable({ store: local, location: "t" });
    expect(await summary(ours)).toEqual(await summary(reference));
    expect(ignoring.calls[0]?.yielded).toBeGreaterThan(10);
    await ours.close();
    await reference.close();
  });
});

describe("LocalObjectStore list with startAfter", () => {
  it("lists exactly the keys after startAfter, in order, skipping whole directories", async () => {
    const root = await mkdtemp(join(tmpdir(), "controlroom-list-after-"));
    try {
      const store = createLocalObjectStore({ root });
      const keys = ["a/1", "a/2", "a/b/1", "a/b/2", "a/c", "a-x", "b/1", "b/😀", "b/\uffff", "c"];
      for (const key of keys) await store.put(key, new Uint8Array([1]));
      const list = async (prefix: string, startAfter?: string) => {
        const out: string[] = [];
        const options = { startAfter } as Parameters<ObjectStore["list"]>[1];
        for await (const info of store.list(prefix, options)) out.push(info.key);
        return out;
      };
      const all = await list("");
      for (const startAfter of [
        "",
        "a",
        "a/",
        "a/b",
        "a/b/1",
        "a/b/",
        "a-",
        "a/z",
        "b/\uffff",
        "b/😀",
        "c",
        "z",
      ]) {
        const expected = all.filter(
          (key) => Buffer.compare(Buffer.from(key), Buffer.from(startAfter)) > 0,
        );
        expect(await list("", startAfter)).toEqual(expected);
        expect(await list("a/", startAfter)).toEqual(expected.filter((k) => k.startsWith("a/")));
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
