import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalRowJson, createRowSetHash, DigestSum, ROW_SET_HASH_V1 } from "./row-set-hash.js";

function hashOf(batches: Record<string, unknown>[][], exclude: string[] = []) {
  const hash = createRowSetHash({ exclude });
  for (const batch of batches) hash.update(batch);
  return hash.digest();
}

describe("createRowSetHash", () => {
  const rows = [
    { id: 1n, name: "Azure", amount: 10.5, at: new Date("2026-01-01T00:00:00Z") },
    { id: 2n, name: "Deco", amount: null, at: new Date("2026-01-02T00:00:00Z") },
    { id: 3n, name: "Gemini", amount: 7, at: null },
  ];

  it("does not depend on row order, batch boundaries or column order", () => {
    const a = hashOf([rows]);
    const b = hashOf([[rows[2] as never], [rows[0] as never, rows[1] as never]]);
    const reordered = rows.map(({ at, amount, name, id }) => ({ at, amount, name, id }));
    expect(b).toEqual(a);
    expect(hashOf([reordered.reverse()])).toEqual(a);
    expect(a.rowCount).toBe(3);
  });

  it("changes when one value, one row or a duplicate changes", () => {
    const a = hashOf([rows]);
    const changed = rows.map((row) => (row.id === 2n ? { ...row, name: "Deco Addict" } : row));
    expect(hashOf([changed]).sha256).not.toBe(a.sha256);
    expect(hashOf([rows.slice(1)]).sha256).not.toBe(a.sha256);
    expect(hashOf([[...rows, rows[0] as never]]).sha256).not.toBe(a.sha256);
    // A null and a missing column are the same value; a string "1" and a number 1 are not.
    expect(hashOf([[{ a: 1 }]]).sha256).not.toBe(hashOf([[{ a: "1" }]]).sha256);
  });

  it("leaves excluded columns out", () => {
    const stamped = rows.map((row, i) => ({ ...row, _ingested_at: new Date(i * 1000) }));
    const restamped = rows.map((row, i) => ({ ...row, _ingested_at: new Date(i * 5000) }));
    expect(hashOf([stamped], ["_ingested_at"])).toEqual(hashOf([rows]));
    expect(hashOf([restamped], ["_ingested_at"])).toEqual(hashOf([stamped], ["_ingested_at"]));
  });

  it("is the documented function of the rows' canonical JSON", () => {
    const row = { b: 2n, a: new Uint8Array([1, 2]), c: { y: 1, x: [new Date(0)] } };
    const json = canonicalRowJson(row);
    expect(json).toBe(
      '[["a","base64:AQI="],["b","2"],["c",{"x":["1970-01-01T00:00:00.000Z"],"y":1}]]',
    );
    const rowHash = BigInt(`0x${createHash("sha256").update(json).digest("hex")}`);
    const expected = createHash("sha256")
      .update(`controlroom-rowset-v1\n1\n${rowHash.toString(16).padStart(64, "0")}`)
      .digest("hex");
    expect(hashOf([[row]]).sha256).toBe(expected);
  });

  it("hashes the empty set to a fixed value distinct from any row", () => {
    expect(hashOf([]).rowCount).toBe(0);
    expect(hashOf([[]]).sha256).toBe(hashOf([]).sha256);
    expect(hashOf([[{}]]).sha256).not.toBe(hashOf([]).sha256);
  });
});

// The hash is stored next to table versions, so it must never change. These digests
// and the reference below are the implementation as it was before it was made faster
// (per-row BigInt sum, keys sorted per row); the current one must agree on any rows.
describe("createRowSetHash against the reference implementation", () => {
  const FIXED: Record<string, string> = {
    "one shape, scalars": "129a317d96ac9f935a3e759b8657fd7890394ed89c8260e0f4afb309f185f248",
    "random (seed 1)": "b8ad2c4911bbe7a263ce0314f6fc50b9efa15255062ff78a0dad67ed0f27f9a3",
    "random (seed 2)": "7688f5f63427a3b7a94e6c64f721d18ac748be89db2a04fc12a6989feda30d51",
    "random (seed 3)": "ce39da20389aa4357098f546c825d7e207634cf6c491173ab50a946b2bbbf79f",
    "empty rows and empty batches":
      "145f9adf8fca1bd8d950de7c9dc1b16db2a0c8938f25e883864eef4d24d7e374",
    "odd values": "8a6055c6b85915c9468d8b0ec7ea4ce47dd260d7be901a81be621a049fe64ef2",
    "dates at the edges": "7589782a367fc4abdf507e00a9541a659848dfd6cd742356d5ce350ee3e28a33",
  };

  it("matches digests computed by the reference implementation", () => {
    const computed: Record<string, string> = {};
    for (const [name, make] of Object.entries(DATASETS)) {
      computed[name] = hashOf(make(), ["skip me"]).sha256;
    }
    expect(computed).toEqual(FIXED);
  });

  it.each(Object.keys(DATASETS))("agrees with the reference on %s rows", (name) => {
    const batches = (DATASETS[name] as () => Record<string, unknown>[][])();
    for (const exclude of [[], ["skip me"], ["a", "10", "__proto__"]]) {
      const reference = referenceRowSetHash({ exclude });
      const current = createRowSetHash({ exclude });
      for (const batch of batches) {
        reference.update(batch);
        current.update(batch);
        // Digests in the middle of the stream too: digest() must not disturb the sum.
        expect(current.digest()).toEqual({ ...reference.digest(), format: ROW_SET_HASH_V1 });
      }
      const excluded = new Set(exclude);
      for (const row of batches.flat()) {
        expect(canonicalRowJson(row, excluded)).toBe(referenceCanonicalRowJson(row, excluded));
      }
    }
  });

  it("fails on an invalid Date as before", () => {
    const row = { at: new Date(Number.NaN) };
    expect(() => referenceRowSetHash().update([row])).toThrow(RangeError);
    expect(() => createRowSetHash().update([row])).toThrow(RangeError);
  });

  it("keeps the sum exact through many additions and past 2^256", () => {
    // 50 000 rows through the whole path, checked against BigInt arithmetic.
    const rows = Array.from({ length: 50_000 }, (_, i) => ({ i, at: new Date(i * 3_600_000) }));
    const current = createRowSetHash();
    current.update(rows);
    let sum = 0n;
    for (const row of rows) {
      sum += BigInt(
        `0x${createHash("sha256").update(referenceCanonicalRowJson(row)).digest("hex")}`,
      );
    }
    sum &= (1n << 256n) - 1n;
    const expected = createHash("sha256")
      .update(`controlroom-rowset-v1\n50000\n${sum.toString(16).padStart(64, "0")}`)
      .digest("hex");
    expect(current.digest()).toEqual({
      sha256: expected,
      rowCount: 50_000,
      format: "controlroom-rowset-v1",
    });
  });
});

describe("DigestSum", () => {
  const asBinary = (hex: string) => Buffer.from(hex, "hex").toString("binary");

  it("adds digests modulo 2^256, carrying between lanes", () => {
    const next = random(7);
    const sum = new DigestSum();
    let expected = 0n;
    for (let i = 0; i < 5000; i++) {
      const hex = Array.from(
        { length: 64 },
        () => "0123456789abcdef"[Math.floor(next() * 16)],
      ).join("");
      // Some all-ones and all-zeros lanes, where carries ripple.
      const digest =
        i % 7 === 0 ? "f".repeat(56) + hex.slice(56) : i % 11 === 0 ? "0".repeat(64) : hex;
      sum.add(asBinary(digest));
      expected = (expected + BigInt(`0x${digest}`)) & ((1n << 256n) - 1n);
      if (i % 997 === 0) expect(sum.toHex()).toBe(expected.toString(16).padStart(64, "0"));
    }
    expect(sum.toHex()).toBe(expected.toString(16).padStart(64, "0"));
  });

  it("stays exact past 2^21 additions of the largest digest", () => {
    // Without carrying, lanes would pass 2^53 here and lose bits.
    const sum = new DigestSum();
    const ones = asBinary("f".repeat(64));
    const count = 3_000_000;
    for (let i = 0; i < count; i++) sum.add(ones);
    const expected = (BigInt(count) * ((1n << 256n) - 1n)) & ((1n << 256n) - 1n);
    expect(sum.toHex()).toBe(expected.toString(16).padStart(64, "0"));
  });
});

// ---------------------------------------------------------------------------------------
// Reference implementation: row-set-hash.ts as it was, verbatim apart from names.

const REFERENCE_MODULUS_MASK = (1n << 256n) - 1n;

function referenceRowSetHash(options: { exclude?: readonly string[] | undefined } = {}) {
  const excluded = new Set(options.exclude ?? []);
  let sum = 0n;
  let rowCount = 0;
  return {
    update(rows: readonly Record<string, unknown>[]): void {
      for (const row of rows) {
        const digest = createHash("sha256")
          .update(referenceCanonicalRowJson(row, excluded))
          .digest("hex");
        sum = (sum + BigInt(`0x${digest}`)) & REFERENCE_MODULUS_MASK;
        rowCount += 1;
      }
    },
    digest() {
      const sumHex = sum.toString(16).padStart(64, "0");
      const sha256 = createHash("sha256")
        .update(`controlroom-rowset-v1\n${rowCount}\n${sumHex}`)
        .digest("hex");
      return { sha256, rowCount };
    },
  };
}

function referenceCanonicalRowJson(
  row: Record<string, unknown>,
  exclude: ReadonlySet<string> = new Set(),
): string {
  const names = Object.keys(row)
    .filter((name) => !exclude.has(name))
    .sort();
  return JSON.stringify(names.map((name) => [name, referenceCanonicalValue(row[name])]));
}

function referenceCanonicalValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `base64:${Buffer.from(value).toString("base64")}`;
  if (Array.isArray(value)) return value.map(referenceCanonicalValue);
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return Object.fromEntries(entries.map(([key, inner]) => [key, referenceCanonicalValue(inner)]));
  }
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}

// ---------------------------------------------------------------------------------------
// Deterministic random rows of many types.

// mulberry32: small, seeded, good enough to vary test data reproducibly.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = [
  "",
  "plain",
  'quote " and backslash \\',
  "tab\tnewline\ncontrol\u0001\u001f",
  "Zürich — 東京 🚀",
  "lone \ud800 surrogate",
  "\u2028\u2029",
  "\ufeffbom",
  "x".repeat(300),
];
const NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.1,
  1e21,
  1e-7,
  5e-324,
  2 ** 53,
  -(2 ** 31),
  Number.NaN,
  Infinity,
  -Infinity,
  12345.678,
];
const KEYS = ["a", "b", "10", "2", "01", "-1", "1.5", "é", "A", "__proto__", "skip me", "toJSON"];

function randomValue(next: () => number, depth: number): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const kind = Math.floor(next() * (depth > 2 ? 9 : 12));
  switch (kind) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return pick(STRINGS) + (next() < 0.5 ? "" : String(Math.floor(next() * 1000)));
    case 3:
      return next() < 0.5 ? pick(NUMBERS) : Math.floor((next() - 0.5) * 1e9) / 100;
    case 4:
      return next() < 0.5;
    case 5:
      return BigInt(Math.floor((next() - 0.5) * 2 ** 52)) * (next() < 0.3 ? 10n ** 20n : 1n);
    case 6:
      // Before and after 1970, millisecond precision.
      return new Date(Math.floor((next() - 0.3) * 4e12));
    case 7: {
      const bytes = Uint8Array.from({ length: Math.floor(next() * 12) }, () => next() * 256);
      if (next() < 0.3) return Buffer.from(bytes);
      // A view that does not start at its buffer's beginning.
      return next() < 0.5
        ? bytes
        : new Uint8Array(Uint8Array.of(9, ...bytes, 9).buffer, 1, bytes.length);
    }
    case 8:
      return pick(STRINGS);
    case 9:
      return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
    case 10: {
      // Integer-like keys, which JavaScript objects reorder, and "__proto__" as an own key.
      const object: Record<string, unknown> = {};
      for (let i = Math.floor(next() * 5); i > 0; i--) {
        Object.defineProperty(object, pick(KEYS), {
          value: randomValue(next, depth + 1),
          enumerable: true,
          configurable: true,
          writable: true,
        });
      }
      return object;
    }
    default:
      return { nested: randomValue(next, depth + 1), when: new Date(Math.floor(next() * 1e12)) };
  }
}

// Mostly one shape per batch, as an engine returns them, with rows that add, drop or
// reorder columns mixed in.
function randomRows(seed: number, batchCount: number, batchSize: number) {
  const next = random(seed);
  const columns = ["id", "name", "amount", "at", "10", "2", "skip me", "payload", "é", "a"];
  const batches: Record<string, unknown>[][] = [];
  for (let b = 0; b < batchCount; b++) {
    const batch: Record<string, unknown>[] = [];
    for (let r = 0; r < batchSize; r++) {
      const row: Record<string, unknown> = {};
      const shape = next();
      const names =
        shape < 0.8
          ? columns
          : shape < 0.85
            ? [...columns].reverse()
            : shape < 0.9
              ? columns.slice(2)
              : [...columns, "extra", "__proto__"];
      for (const name of names) {
        Object.defineProperty(row, name, {
          value: randomValue(next, 0),
          enumerable: true,
          configurable: true,
          writable: true,
        });
      }
      batch.push(next() < 0.02 ? Object.assign(Object.create(null), row) : row);
    }
    batches.push(batch);
  }
  return batches;
}

const DATASETS: Record<string, () => Record<string, unknown>[][]> = {
  "one shape, scalars": () => [
    Array.from({ length: 200 }, (_, i) => ({
      id: BigInt(i),
      name: `row ${i}`,
      amount: i / 8,
      at: new Date(i * 86_400_000 - 5e11),
      ok: i % 3 === 0,
      missing: i % 5 === 0 ? null : undefined,
    })),
  ],
  "random (seed 1)": () => randomRows(1, 6, 150),
  "random (seed 2)": () => randomRows(2, 3, 400),
  "random (seed 3)": () => randomRows(3, 20, 25),
  "empty rows and empty batches": () => [[], [{}, {}], [], [{ a: undefined }]],
  "dates at the edges": () => {
    // Years 0 and 9999 (the last written with four digits), 10000 and before year 0
    // (±YYYYYY), the Date range's ends, either side of 1970 and of midnight.
    const times = [
      -62167219200000, -62167219200001, -62135596800000, 253402300799999, 253402300800000, -1, 0, 1,
      8.64e15, -8.64e15, 951782400000, 951868799999, -2208988800000,
    ];
    const batch = times.map((time, i) => ({
      at: new Date(time),
      i,
      next: new Date(Math.abs(time) < 8e15 ? time + 86_399_999 : -time),
    }));
    // One column, the same instant and the same day in a row: the writer's caches.
    const repeated = [0, 0, 1, 86_400_000, 86_400_001, 86_399_999, -86_400_000, -1].map((time) => ({
      at: new Date(time),
    }));
    return [batch, repeated];
  },
  "odd values": () => [
    [
      { f: () => 1, s: Symbol("x"), m: new Map([[1, 2]]), i: Int32Array.of(1, -2) },
      {
        sparse: Object.assign(new Array(3), { 0: 1, 2: 3 }),
        nested: [[undefined, () => 1]],
        t: { toJSON: () => "replaced" },
      },
      {
        when: new Date(-1),
        big: -(2n ** 200n),
        buf: Buffer.from("héllo"),
        empty: new Uint8Array(0),
      },
      {
        o: Object.create(null),
        c: new (class Point {
          x = 1;
          y = [2n];
        })(),
        r: /re/g,
      },
      { "": "empty name", " ": "space", "\u0000": "nul name", "😀": "emoji name" },
    ],
  ],
};
