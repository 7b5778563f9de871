import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalRowJson, createRowSetHash } from "./row-set-hash.js";

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
