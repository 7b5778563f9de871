import { beforeEach, describe, expect, it, vi } from "vitest";

// The generator keeps state (last millisecond, counter, random pool): each test gets a
// fresh copy of the module.
let uuidv7: (now?: number) => string;
beforeEach(async () => {
  vi.resetModules();
  ({ uuidv7 } = await import("../src/uuidv7.js"));
});

const FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const msOf = (id: string) => Number.parseInt(id.replaceAll("-", "").slice(0, 12), 16);
const counterOf = (id: string) => Number.parseInt(id.slice(15, 18), 16);
const randomTailOf = (id: string) => id.slice(19);

describe("uuidv7", () => {
  it("has version 7, the RFC 9562 variant and the millisecond in its first 48 bits", () => {
    for (const now of [0, 1, 0xff, 2 ** 32 - 1, 2 ** 32, 1_790_000_000_123, 2 ** 48 - 1]) {
      const id = uuidv7(now);
      expect(id).toMatch(FORMAT);
      expect(msOf(id)).toBe(now);
    }
  });

  it("stays unique and in order across many ids, pool refills included", () => {
    const ids: string[] = [];
    let now = 1_790_000_000_000;
    // ~50,000 ids: many refills of the random pool, several ids per millisecond.
    for (let i = 0; i < 50_000; i++) {
      if (i % 7 === 0) now += 1;
      ids.push(uuidv7(now));
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(FORMAT);
  });

  it("never reuses random bytes: the random tails of ids are all different", () => {
    // Same millisecond and counter wrap aside, only the tail tells ids apart; a pool that
    // handed out the same bytes twice would repeat tails.
    const tails = new Set<string>();
    for (let i = 0; i < 20_000; i++) tails.add(randomTailOf(uuidv7(1_790_000_000_000 + i)));
    expect(tails.size).toBe(20_000);
  });

  it("counts up within one millisecond from a random start below 1024", () => {
    const now = 1_790_000_000_000;
    const ids = Array.from({ length: 100 }, () => uuidv7(now));
    const first = counterOf(ids[0]!);
    expect(first).toBeLessThan(1024);
    ids.forEach((id, index) => {
      expect(msOf(id)).toBe(now);
      expect(counterOf(id)).toBe(first + index);
    });
  });

  it("borrows the next millisecond when the counter runs out, staying in order", () => {
    const now = 1_790_000_000_000;
    const ids = Array.from({ length: 5_000 }, () => uuidv7(now));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(msOf(ids.at(-1)!)).toBe(now + 1);
    // The next real millisecond is the borrowed one: still after every id so far.
    const next = uuidv7(now + 1);
    expect(next > ids.at(-1)!).toBe(true);
  });

  it("stays in order when the clock goes back", () => {
    const later = uuidv7(1_790_000_000_500);
    const earlier = uuidv7(1_790_000_000_000);
    expect(earlier > later).toBe(true);
    expect(msOf(earlier)).toBe(1_790_000_000_500);
  });

  it("draws random bytes in blocks, not once per id", () => {
    const spy = vi.spyOn(crypto, "getRandomValues");
    try {
      for (let i = 0; i < 1_000; i++) uuidv7(1_790_000_000_000 + i);
      // 10 bytes per id from a 4 KiB pool: a handful of refills for 1,000 ids.
      expect(spy.mock.calls.length).toBeGreaterThan(0);
      expect(spy.mock.calls.length).toBeLessThan(10);
    } finally {
      spy.mockRestore();
    }
  });
});
