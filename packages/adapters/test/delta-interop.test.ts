import { execFile } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { TableSchema } from "@controlroom/executor-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DuckDbSession, openDeltaTable, openDuckDbSession } from "../src/delta/index.js";
import { createLocalObjectStore } from "../src/local/index.js";
import { canonicalRows } from "./delta-conformance-cases.js";

// Interop: delta-rs (the `deltalake` Python package) must read a table our writer made
// (partitioned, several commits, a checkpoint) with the same rows. In CI the package
// must be there (scripts/ci/install-python-packages.sh installs it); locally the test
// is skipped with a message when it is not.
const run = promisify(execFile);
const reader = fileURLToPath(new URL("./delta-rs-read.py", import.meta.url));
const available = await run("python3", ["-c", "import deltalake"]).then(
  () => true,
  () => false,
);
const inCi = process.env.CI === "true" || process.env.CI === "1";
if (!available && !inCi) {
  console.warn(
    "delta-interop: python3 -c 'import deltalake' failed; skipping (run scripts/ci/install-python-packages.sh)",
  );
}

interface DeltaRsResult {
  version: number;
  files: number;
  rows: Record<string, string | null>[];
}

async function readWithDeltaRs(dir: string): Promise<DeltaRsResult> {
  const { stdout } = await run("python3", [reader, dir], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as DeltaRsResult;
}

/** delta-rs rows in the canonical form of canonicalRows(). */
function canonical(result: DeltaRsResult): string[] {
  return result.rows
    .map((row) => JSON.stringify(Object.entries(row).sort((a, b) => (a[0] < b[0] ? -1 : 1))))
    .sort();
}

const schema: TableSchema = {
  fields: [
    { name: "id", type: "long", nullable: false },
    { name: "letter", type: "string", nullable: true },
    { name: "day", type: "date", nullable: true },
    { name: "amount", type: "decimal(12,3)", nullable: true },
    { name: "score", type: "integer", nullable: true },
    { name: "at", type: "timestamp", nullable: true },
    { name: "note", type: "string", nullable: true },
  ],
};
const provenance = { run_id: "run_interop", phase: "gold", git_sha: "feedbeef" };

let root: string;
let session: DuckDbSession;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "controlroom-delta-interop-"));
  session = await openDuckDbSession();
});
afterAll(async () => {
  await session.close();
  await rm(root, { recursive: true, force: true });
});

describe.skipIf(!available && !inCi)("Delta interop with delta-rs", () => {
  it("has deltalake importable (required in CI)", () => {
    expect(
      available,
      "python3 -c 'import deltalake' failed: run scripts/ci/install-python-packages.sh",
    ).toBe(true);
  });

  it("reads our partitioned, checkpointed table with the same rows", async () => {
    const table = openDeltaTable({
      store: createLocalObjectStore({ root }),
      location: "interop",
      checkpointInterval: 2,
    });
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
          note: `row ${id} "quoted"`,
        };
      });
      await table.append({ rows }, { provenance });
    }
    // One overwrite of a single partition's worth keeps removes in the log, too.
    const snapshot = await table.snapshot();
    expect(snapshot.version).toBe(5);
    expect(snapshot.checkpointVersion).toBe(4);
    const scan = await table.scan({ snapshot });
    const ours = await canonicalRows(session, scan.sql);
    await scan.dispose();
    await table.close();
    expect(ours).toHaveLength(20);

    const dir = join(root, "interop");
    const theirs = await readWithDeltaRs(dir);
    expect(theirs.version).toBe(5);
    expect(theirs.files).toBe(snapshot.files.length);
    expect(canonical(theirs)).toEqual(ours);

    // Without the JSON commits up to the checkpoint, delta-rs must rebuild the state
    // from our checkpoint Parquet (and _last_checkpoint).
    const copy = join(root, "checkpoint-only");
    await cp(dir, copy, { recursive: true });
    for (let v = 0; v <= 4; v++)
      await rm(join(copy, "_delta_log", `${String(v).padStart(20, "0")}.json`));
    const fromCheckpoint = await readWithDeltaRs(copy);
    expect(fromCheckpoint.version).toBe(5);
    expect(canonical(fromCheckpoint)).toEqual(ours);
  }, 120_000);

  it("reads a table after a RESTORE commit with the restored version's rows", async () => {
    const table = openDeltaTable({ store: createLocalObjectStore({ root }), location: "restored" });
    await table.create({ schema, partitionColumns: ["letter"], provenance });
    const at = (id: number, letter: string) => ({
      id: BigInt(id),
      letter,
      day: "2024-02-01",
      amount: `${id}.5`,
      score: id,
      at: new Date(Date.UTC(2024, 1, 1, 0, 0, id)),
      note: `n${id}`,
    });
    await table.append({ rows: [at(1, "a"), at(2, "b")] }, { provenance }); // v1
    await table.overwrite({ rows: [at(3, "c")] }, { provenance }); // v2
    await table.append({ rows: [at(4, "a")] }, { provenance }); // v3
    const restored = await table.restore({ version: 1, provenance });
    expect(restored.version).toBe(4);
    const scan = await table.scan({ version: 1 });
    const ours = await canonicalRows(session, scan.sql);
    await scan.dispose();
    await table.close();
    const theirs = await readWithDeltaRs(join(root, "restored"));
    expect(theirs.version).toBe(4);
    expect(theirs.files).toBe(2);
    expect(canonical(theirs)).toEqual(ours);
  }, 120_000);
});
