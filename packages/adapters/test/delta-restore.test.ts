import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ObjectStore, TableSchema } from "@controlroom/executor-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDeltaLakehouse,
  DeltaConcurrentModificationError,
  type DeltaHistoryEntry,
  DeltaRestoreFilesMissingError,
  isAdapterError,
  openDeltaTable,
} from "../src/delta/index.js";
import { createLocalObjectStore } from "../src/local/index.js";

const schema: TableSchema = {
  fields: [
    { name: "id", type: "long", nullable: false },
    { name: "letter", type: "string", nullable: true },
    { name: "amount", type: "decimal(10,2)", nullable: true },
  ],
};
const writer = { run_id: "run_writer", phase: "silver", git_sha: "a".repeat(40) };
const restorer = {
  run_id: "run_rollback",
  phase: "restore",
  git_sha: "b".repeat(40),
  rollback_of_run: "run_writer",
};
const rows = (...ids: number[]) =>
  ids.map((id) => ({
    id: BigInt(id),
    letter: String.fromCharCode(96 + (id % 26) + 1),
    amount: `${id}.50`,
  }));

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "controlroom-delta-restore-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function tableAt(location: string, store: ObjectStore = createLocalObjectStore({ root })) {
  return openDeltaTable({ store, location, checkpointInterval: 3 });
}

async function ids(table: ReturnType<typeof tableAt>, version?: number): Promise<bigint[]> {
  const { rows: read } = await table.readRows(version === undefined ? {} : { version });
  return read.map((r) => r.id as bigint).sort((a, b) => (a < b ? -1 : 1));
}

describe("DeltaTable.restore", () => {
  it("restores the rows of an earlier version after an overwrite, in one RESTORE commit", async () => {
    const table = tableAt("overwritten");
    await table.create({ schema, provenance: writer });
    await table.append({ rows: rows(1, 2, 3) }, { provenance: writer }); // v1
    await table.overwrite({ rows: rows(7, 8) }, { provenance: writer }); // v2
    await table.append({ rows: rows(9) }, { provenance: writer }); // v3 (a checkpoint)

    const result = await table.restore({ version: 1, provenance: restorer });
    expect(result).toMatchObject({
      version: 4,
      readVersion: 3,
      restoredVersion: 1,
      filesAdded: 1,
      filesRemoved: 2,
    });
    expect(await ids(table)).toEqual([1n, 2n, 3n]);
    const [now, then] = [await table.snapshot(), await table.snapshot({ version: 1 })];
    expect(now.files.map((f) => f.path).sort()).toEqual(then.files.map((f) => f.path).sort());
    expect(now.files[0]?.recordCount).toBe(3); // statistics come back with the file
    // Every version stays readable.
    expect(await ids(table, 2)).toEqual([7n, 8n]);

    const [latest] = (await table.history({ limit: 1 })) as DeltaHistoryEntry[];
    expect(latest?.operation).toBe("RESTORE");
    expect(latest?.commitInfo?.operationParameters).toEqual({ version: "1" });
    expect(latest?.commitInfo?.readVersion).toBe(3);
    expect(latest?.provenance).toMatchObject({
      run_id: "run_rollback",
      phase: "restore",
      git_sha: "b".repeat(40),
      rollback_of_run: "run_writer",
    });
    // The table writes on from there.
    await table.append({ rows: rows(4) }, { provenance: writer });
    expect(await ids(table)).toEqual([1n, 2n, 3n, 4n]);
    await table.close();
  });

  it("restores an earlier version after appends, removing only the later files", async () => {
    const table = tableAt("appended");
    await table.create({ schema, provenance: writer, data: { rows: rows(1) } }); // v0
    await table.append({ rows: rows(2) }, { provenance: writer }); // v1
    await table.append({ rows: rows(3) }, { provenance: writer }); // v2
    const result = await table.restore({ version: 0, provenance: restorer });
    expect(result).toMatchObject({ version: 3, filesAdded: 0, filesRemoved: 2 });
    expect(await ids(table)).toEqual([1n]);
    // Forward again: a restore to a version after the restored one works the same way.
    expect((await table.restore({ version: 2, provenance: restorer })).version).toBe(4);
    expect(await ids(table)).toEqual([1n, 2n, 3n]);
    await table.close();
  });

  it("restores a version read from a checkpoint, writing plain JSON adds", async () => {
    const table = openDeltaTable({
      store: createLocalObjectStore({ root }),
      location: "checkpointed",
      checkpointInterval: 2,
    });
    await table.create({ schema, provenance: writer });
    await table.append({ rows: rows(1) }, { provenance: writer }); // v1
    await table.append({ rows: rows(2) }, { provenance: writer }); // v2, checkpointed
    await table.overwrite({ rows: rows(3) }, { provenance: writer }); // v3
    expect((await table.snapshot({ version: 2 })).checkpointVersion).toBe(2);
    const result = await table.restore({ version: 2, provenance: restorer });
    expect(result).toMatchObject({ version: 4, filesAdded: 2, filesRemoved: 1 });
    expect(await ids(table)).toEqual([1n, 2n]);
    const log = await readFile(
      join(root, "checkpointed/_delta_log", `${"4".padStart(20, "0")}.json`),
      "utf8",
    );
    const adds = log
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line))
      .filter((action) => action.add)
      .map((action) => action.add);
    expect(adds).toHaveLength(2);
    for (const add of adds) {
      expect(Object.keys(add).sort()).toEqual([
        "dataChange",
        "modificationTime",
        "partitionValues",
        "path",
        "size",
        "stats",
      ]);
      expect(typeof add.size).toBe("number");
      expect(JSON.parse(add.stats).numRecords).toBe(1);
    }
    await table.close();
  });

  it("commits nothing when the table already reads as the target version", async () => {
    const table = tableAt("noop");
    await table.create({ schema, provenance: writer });
    await table.append({ rows: rows(1, 2) }, { provenance: writer }); // v1
    await table.overwrite({ rows: rows(5) }, { provenance: writer }); // v2
    expect(await table.restore({ version: 2, provenance: restorer })).toMatchObject({
      version: undefined,
      readVersion: 2,
      filesAdded: 0,
      filesRemoved: 0,
    });
    expect((await table.restore({ version: 1, provenance: restorer })).version).toBe(3);
    // A second restore to the same version (a re-run after a crash) is a no-op.
    expect((await table.restore({ version: 1, provenance: restorer })).version).toBeUndefined();
    expect((await table.snapshot()).version).toBe(3);
    await table.close();
  });

  it("refuses, naming the files, when data files the target needs are gone", async () => {
    const table = tableAt("vacuumed");
    await table.create({ schema, provenance: writer });
    await table.append({ rows: rows(1, 2) }, { provenance: writer }); // v1
    const [gone] = (await table.snapshot({ version: 1 })).files;
    await table.overwrite({ rows: rows(3) }, { provenance: writer }); // v2
    await rm(join(root, "vacuumed", gone?.path ?? "?"));
    const error = await table.restore({ version: 1, provenance: restorer }).catch((e) => e);
    expect(error).toBeInstanceOf(DeltaRestoreFilesMissingError);
    expect(isAdapterError(error) && error.code).toBe("DELTA_RESTORE_FILES_MISSING");
    expect((error as DeltaRestoreFilesMissingError).files).toEqual([gone?.path]);
    expect((error as Error).message).toContain(gone?.path);
    expect((await table.snapshot()).version).toBe(2);
    expect(await ids(table)).toEqual([3n]);
    await table.close();
  });

  it("fails with DeltaConcurrentModificationError when another writer commits first", async () => {
    const local = createLocalObjectStore({ root });
    await tableAt("raced").create({ schema, provenance: writer, data: { rows: rows(1) } }); // v0
    await tableAt("raced").append({ rows: rows(2) }, { provenance: writer }); // v1
    // A store on which another writer's append lands just before the restore's commit.
    let raced = false;
    const racing: ObjectStore = {
      ...local,
      get: local.get.bind(local),
      put: local.put.bind(local),
      list: local.list.bind(local),
      delete: local.delete.bind(local),
      stat: local.stat.bind(local),
      uri: local.uri.bind(local),
      async putIfAbsent(key, data, options) {
        if (!raced && key.includes("_delta_log/") && key.endsWith(".json")) {
          raced = true;
          const other = tableAt("raced");
          await other.append({ rows: rows(3) }, { provenance: writer }); // v2
          await other.close();
        }
        return local.putIfAbsent(key, data, options);
      },
    };
    const table = tableAt("raced", racing);
    await expect(table.restore({ version: 0, provenance: restorer })).rejects.toBeInstanceOf(
      DeltaConcurrentModificationError,
    );
    await table.close();
    const check = tableAt("raced");
    expect((await check.snapshot()).version).toBe(2);
    expect(await ids(check)).toEqual([1n, 2n, 3n]);
    // Read again and retried, it lands.
    expect((await check.restore({ version: 0, provenance: restorer })).version).toBe(3);
    expect(await ids(check)).toEqual([1n]);
    await check.close();
  });

  it("refuses versions that do not exist", async () => {
    const table = tableAt("short");
    await table.create({ schema, provenance: writer });
    await expect(table.restore({ version: 5, provenance: restorer })).rejects.toMatchObject({
      code: "DELTA_VERSION_NOT_FOUND",
    });
    await expect(table.restore({ version: -1, provenance: restorer })).rejects.toMatchObject({
      code: "DELTA_INVALID_ARGUMENT",
    });
    await table.close();
  });
});

describe("DeltaLakehouse.restore (the Lakehouse port)", () => {
  it("restores through the port, reporting versions and whether it committed", async () => {
    const store = createLocalObjectStore({ root });
    const lake = createDeltaLakehouse({ store });
    const batches = async function* (ids: number[]) {
      yield rows(...ids);
    };
    await lake.appendRows("lake/orders", batches([1, 2]), { schema, provenance: writer }); // v0
    await lake.session({}, (s) =>
      s.writeQuery(
        "lake/orders",
        "SELECT 9::BIGINT AS id, 'z' AS letter, 1.5::DECIMAL(10,2) AS amount",
        {
          mode: "overwrite",
          provenance: writer,
        },
      ),
    ); // v1
    const before = await lake.contentHash({ location: "lake/orders", version: 0 });
    const result = await lake.restore?.("lake/orders", { version: 0, provenance: restorer });
    expect(result).toEqual({
      location: "lake/orders",
      version: 2,
      committed: true,
      previousVersion: 1,
      restoredVersion: 0,
      filesAdded: 1,
      filesRemoved: 1,
    });
    const after = await lake.contentHash({ location: "lake/orders" });
    expect(after).toEqual({ ...before, version: 2 });
    expect(await lake.restore?.("lake/orders", { version: 0, provenance: restorer })).toMatchObject(
      { version: 2, committed: false, previousVersion: 2 },
    );
    const [entry] = await lake.history("lake/orders", { limit: 1 });
    expect(entry?.operation).toBe("RESTORE");
    expect(entry?.provenance?.rollback_of_run).toBe("run_writer");
    await expect(
      lake.restore?.("lake/nothing", { version: 0, provenance: restorer }),
    ).rejects.toMatchObject({ code: "LAKEHOUSE_TABLE_NOT_FOUND" });
    await expect(
      lake.restore?.("lake/orders", { version: 9, provenance: restorer }),
    ).rejects.toMatchObject({ code: "LAKEHOUSE_VERSION_NOT_FOUND" });
    expect((await readdir(join(root, "lake/orders/_delta_log"))).length).toBeGreaterThan(2);
    await lake.close();
  });
});
