import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ObjectStore, TableSchema } from "@controlroom/executor-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeltaProtocolError, openDeltaTable } from "../src/delta/index.js";
import { createLocalObjectStore } from "../src/local/index.js";
import { boundStore } from "./bound-store.js";

// The JSON commits after a checkpoint (or from version 0) are read a few at once: a
// replay must still fail on the first bad version, whichever read answers first.

const provenance = { run_id: "run_test", phase: "silver", git_sha: "0123abc" };
const schema: TableSchema = { fields: [{ name: "id", type: "long", nullable: false }] };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const commitKey = (version: number) => `t/_delta_log/${String(version).padStart(20, "0")}.json`;

/** `inner` with some commits answering late with other bytes (undefined: gone). */
function tampered(
  inner: ObjectStore,
  commits: Record<number, { ms: number; text: string | undefined }>,
): ObjectStore {
  const store = boundStore(inner);
  store.get = async (key, options) => {
    const version = Object.keys(commits)
      .map(Number)
      .find((v) => commitKey(v) === key);
    if (version === undefined) return inner.get(key, options);
    const { ms, text } = commits[version] as { ms: number; text: string | undefined };
    await pause(ms);
    return text === undefined ? undefined : new TextEncoder().encode(text);
  };
  return store;
}

describe("replaying JSON commits read in parallel", () => {
  let root: string;
  let store: ObjectStore;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "controlroom-delta-replay-"));
    store = createLocalObjectStore({ root });
    // Versions 0-5, no checkpoint: a load replays every commit from 0.
    const table = openDeltaTable({ store, location: "t", checkpointInterval: 100 });
    await table.create({ schema, provenance });
    for (let id = 1; id <= 5; id++)
      await table.append({ rows: [{ id: BigInt(id) }] }, { provenance });
    await table.close();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function loadError(commits: Record<number, { ms: number; text: string | undefined }>) {
    const table = openDeltaTable({ store: tampered(store, commits), location: "t" });
    try {
      return await table.snapshot().then(
        () => undefined,
        (error: unknown) => error,
      );
    } finally {
      await table.close();
    }
  }

  it("reads the latest version unchanged", async () => {
    const table = openDeltaTable({ store: tampered(store, {}), location: "t" });
    const snapshot = await table.snapshot();
    await table.close();
    expect(snapshot.version).toBe(5);
    expect(snapshot.files).toHaveLength(5);
  });

  it("reports the first commit gone after the listing, though a later one is found gone first", async () => {
    const error = await loadError({
      2: { ms: 40, text: undefined },
      4: { ms: 0, text: undefined },
    });
    expect(error).toBeInstanceOf(DeltaProtocolError);
    expect(error).toMatchObject({
      code: "DELTA_VERSIONS_NOT_CONTIGUOUS",
      message: "the log's versions are not contiguous: commit 2 is missing before version 5",
    });
  });

  it("reports the first unreadable commit, though a later one fails first", async () => {
    const error = await loadError({
      1: { ms: 40, text: "{not json" },
      3: { ms: 0, text: "[1]" },
    });
    expect(error).toBeInstanceOf(DeltaProtocolError);
    expect((error as Error).message).toBe(`${commitKey(1)} line 1 is not valid JSON`);
  });

  it("reports a gap before a later unreadable commit as a gap", async () => {
    const error = await loadError({
      2: { ms: 40, text: undefined },
      3: { ms: 0, text: "{not json" },
    });
    expect(error).toMatchObject({ code: "DELTA_VERSIONS_NOT_CONTIGUOUS" });
    expect((error as Error).message).toContain("commit 2 is missing");
  });
});
