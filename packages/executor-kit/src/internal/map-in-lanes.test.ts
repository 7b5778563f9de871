import { describe, expect, it } from "vitest";
import { mapInLanes } from "./map-in-lanes.js";

const tick = (ms = 2) => new Promise((resolve) => setTimeout(resolve, ms));

describe("mapInLanes", () => {
  it("keeps the items' order with at most `lanes` calls at once", async () => {
    let running = 0;
    let most = 0;
    const results = await mapInLanes([5, 1, 4, 2, 3], 2, undefined, async (n, _signal, index) => {
      running += 1;
      most = Math.max(most, running);
      await tick(n);
      running -= 1;
      return `${index}:${n * 10}`;
    });
    expect(results).toEqual(["0:50", "1:10", "2:40", "3:20", "4:30"]);
    expect(most).toBe(2);
  });

  it("stops at the first failure, aborts the running calls and waits for them", async () => {
    const started: number[] = [];
    const settled: number[] = [];
    const signals: AbortSignal[] = [];
    const failing = mapInLanes([1, 2, 3, 4], 2, undefined, async (n, signal) => {
      started.push(n);
      signals.push(signal);
      try {
        if (n === 1) throw new Error("first");
        await tick(10);
        if (signal.aborted) throw new Error(`aborted ${n}`);
        return n;
      } finally {
        settled.push(n);
      }
    });
    await expect(failing).rejects.toThrow("first");
    expect(started).toEqual([1, 2]);
    expect(settled.sort()).toEqual([1, 2]);
    expect(signals[1]?.aborted).toBe(true);
  });

  it("takes no item once the caller's signal aborts, and rejects with its reason", async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const mapping = mapInLanes([1, 2, 3], 1, controller.signal, async (n) => {
      seen.push(n);
      if (n === 1) controller.abort(new Error("stop"));
      return n;
    });
    await expect(mapping).rejects.toThrow("stop");
    expect(seen).toEqual([1]);
  });

  it("resolves an empty list with no call", async () => {
    expect(await mapInLanes([], 3, undefined, async () => 1)).toEqual([]);
  });
});
