import type { ObjectStore } from "@controlroom/executor-kit";
import { describe, expect, it } from "vitest";
import type { DeltaAction } from "../src/delta/delta-actions.js";
import { DeltaProtocolError } from "../src/delta/index.js";
import { readCommitsInOrder } from "../src/delta/read-commits-in-order.js";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A store whose `get` answers after the given delay per key (text, or undefined for an
 * object that is not there), and counts the reads running at once.
 */
function slowStore(objects: Record<string, { text?: string; ms: number }>) {
  const seen = { running: 0, most: 0, started: [] as string[] };
  const store = {
    async get(key: string) {
      seen.started.push(key);
      seen.running++;
      seen.most = Math.max(seen.most, seen.running);
      const object = objects[key];
      await pause(object?.ms ?? 0);
      seen.running--;
      return object?.text === undefined ? undefined : new TextEncoder().encode(object.text);
    },
  } as unknown as ObjectStore;
  return { store, seen };
}

const commit = (version: number) => `{"commitInfo":{"version":${version}}}\n`;

async function collect(iterable: AsyncIterable<DeltaAction[] | undefined>) {
  const out: (DeltaAction[] | undefined)[] = [];
  for await (const actions of iterable) out.push(actions);
  return out;
}

describe("readCommitsInOrder", () => {
  it("hands commits over in order while reading at most `limit` at once", async () => {
    // Later commits answer first: the order must still be the keys'.
    const objects = Object.fromEntries(
      Array.from({ length: 9 }, (_, v) => [`${v}.json`, { text: commit(v), ms: 30 - v * 3 }]),
    );
    const { store, seen } = slowStore(objects);
    const out = await collect(readCommitsInOrder(store, Object.keys(objects), undefined, 3));
    expect(out.map((actions) => actions?.[0]?.commitInfo?.version)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8,
    ]);
    expect(seen.most).toBe(3);
  });

  it("gives undefined for a version without a key or without an object, in its place", async () => {
    const { store } = slowStore({
      "0.json": { text: commit(0), ms: 5 },
      "2.json": { ms: 1 },
      "3.json": { text: commit(3), ms: 1 },
    });
    const out = await collect(readCommitsInOrder(store, ["0.json", undefined, "2.json", "3.json"]));
    expect(out.map((actions) => actions?.[0]?.commitInfo?.version)).toEqual([
      0,
      undefined,
      undefined,
      3,
    ]);
  });

  it("throws a bad commit in its turn: the first bad version, even when a later one fails first", async () => {
    const { store } = slowStore({
      "0.json": { text: commit(0), ms: 1 },
      "1.json": { text: "{not json", ms: 25 },
      "2.json": { text: "[1]", ms: 1 },
    });
    const reached: unknown[] = [];
    const error = await (async () => {
      for await (const actions of readCommitsInOrder(store, ["0.json", "1.json", "2.json"])) {
        reached.push(actions?.[0]?.commitInfo?.version);
      }
    })().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(reached).toEqual([0]);
    expect(error).toBeInstanceOf(DeltaProtocolError);
    expect((error as Error).message).toBe("1.json line 1 is not valid JSON");
  });

  it("leaves reads past a gap the caller stops at unreported", async () => {
    const { store, seen } = slowStore({
      "0.json": { ms: 5 },
      "1.json": { text: "{not json", ms: 1 },
    });
    // A rejection nobody awaits would fail the test run as unhandled.
    for await (const actions of readCommitsInOrder(store, ["0.json", "1.json"])) {
      expect(actions).toBeUndefined();
      break;
    }
    await pause(20);
    expect(seen.started).toEqual(["0.json", "1.json"]);
  });

  it("stops at the signal", async () => {
    const controller = new AbortController();
    const store = {
      get: (_key: string, options?: { signal?: AbortSignal }) =>
        new Promise((_, reject) =>
          options?.signal?.addEventListener("abort", () => reject(options.signal?.reason)),
        ),
    } as unknown as ObjectStore;
    const reading = collect(readCommitsInOrder(store, ["0.json", "1.json"], controller.signal));
    controller.abort(new Error("stop"));
    await expect(reading).rejects.toThrow("stop");
  });
});
