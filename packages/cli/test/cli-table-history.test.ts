import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { openDeltaTable } from "@controlroom/adapters/delta";
import { createLocalObjectStore } from "@controlroom/adapters/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/index.js";
import { memoryIo } from "./cli-harness.js";

const SHA_A = "1111111111111111111111111111111111111111";
const SHA_B = "2222222222222222222222222222222222222222";
let root: string;

async function history(args: string[]) {
  const { io, out, err } = memoryIo({}, root);
  const status = await runCli(["table", "history", ...args], io);
  return { status, out, err };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "controlroom-cli-history-"));
  const table = openDeltaTable({ store: createLocalObjectStore({ root }), location: "orders" });
  try {
    await table.create({
      schema: { fields: [{ name: "id", type: "long", nullable: false }] },
      data: { rows: [{ id: 1n }] },
      provenance: { run_id: "run-1", phase: "bronze", git_sha: SHA_A },
    });
    await table.append(
      { rows: [{ id: 2n }] },
      { provenance: { run_id: "run-2", phase: "bronze", git_sha: SHA_A, attempt: 2 } },
    );
    await table.overwrite(
      { rows: [{ id: 3n }] },
      { provenance: { run_id: "run-3", phase: "silver", git_sha: SHA_B } },
    );
  } finally {
    await table.close();
  }
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe("controlroom table history", () => {
  it("lists versions newest first with the run, phase and commit of each", async () => {
    const { status, out, err } = await history(["orders"]);
    expect(status).toBe(0);
    expect(out[0]).toBe(
      "version | timestamp                | operation         | run_id | phase  | git_sha",
    );
    const rows = out.slice(2).map((line) => line.split("|").map((cell) => cell.trim()));
    expect(rows.map(([version, , ...rest]) => [version, rest])).toEqual([
      ["2", ["WRITE (Overwrite)", "run-3", "silver", SHA_B]],
      ["1", ["WRITE (Append)", "run-2", "bronze", SHA_A]],
      ["0", ["CREATE TABLE", "run-1", "bronze", SHA_A]],
    ]);
    const times = rows.map((row) => Date.parse(row[1]!));
    expect(times.every((time) => !Number.isNaN(time))).toBe(true);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(err).toEqual(["(3 versions)"]);
  });

  it("--limit keeps the newest; JSON carries the whole provenance", async () => {
    const one = await history([pathToFileURL(join(root, "orders")).href, "--limit", "1"]);
    expect(one.out.slice(2)).toHaveLength(1);
    expect(one.out[2]).toMatch(/^2 /);
    const json = await history(["orders", "--format", "json", "--limit", "2"]);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.out.join("\n"))).toEqual([
      {
        version: 2,
        timestamp: expect.stringMatching(/Z$/),
        operation: "WRITE",
        operation_parameters: { mode: "Overwrite", partitionBy: "[]" },
        provenance: { run_id: "run-3", phase: "silver", git_sha: SHA_B },
      },
      {
        version: 1,
        timestamp: expect.stringMatching(/Z$/),
        operation: "WRITE",
        operation_parameters: { mode: "Append", partitionBy: "[]" },
        provenance: { run_id: "run-2", phase: "bronze", git_sha: SHA_A, attempt: 2 },
      },
    ]);
  });

  it("fails with the reason when there is no table", async () => {
    const empty = await mkdtemp(join(root, "empty-"));
    const missing = await history([empty]);
    expect(missing.status).toBe(1);
    expect(missing.err.join("\n")).toMatch(/controlroom table: no Delta table at/);
    expect((await history(["does-not-exist"])).status).toBe(1);
    expect((await history(["ftp://host/t"])).status).toBe(2);
  });
});
