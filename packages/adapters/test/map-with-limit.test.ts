import { describe, expect, it } from "vitest";
import { mapWithLimit } from "../src/internal/map-with-limit.js";

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("mapWithLimit", () => {
  it("keeps the items' order and never runs more than `limit` calls at once", async () => {
    let running = 0;
    let most = 0;
    const results = await mapWithLimit([5, 1, 4, 2, 3, 1], 2, async (ms) => {
      running++;
      most = Math.max(most, running);
      await tick(ms);
      running--;
      return ms * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 10]);
    expect(most).toBe(2);
  });

  it("lets every call settle, then rejects with the first failure in the items' order", async () => {
    const finished: number[] = [];
    const failing = mapWithLimit([0, 1, 2, 3], 4, async (index) => {
      // Item 3 fails first in time, item 1 first in order.
      await tick(index === 3 ? 0 : 10 + index);
      finished.push(index);
      if (index === 1 || index === 3) throw new Error(`item ${index}`);
      return index;
    });
    await expect(failing).rejects.toThrow("item 1");
    expect([...finished].sort()).toEqual([0, 1, 2, 3]);
  });

  it("returns an empty list for no items", async () => {
    expect(await mapWithLimit([], 4, async () => 1)).toEqual([]);
  });
});
