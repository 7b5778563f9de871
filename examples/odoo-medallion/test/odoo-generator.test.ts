import { createHash, type Hash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateOdooData, ODOO_TABLE_COLUMNS, toCopyText } from "../src/odoo/index.js";

// A digest per table, so that how rows are cut into batches does not matter.
function digest(options: Parameters<typeof generateOdooData>[0]): {
  hashes: Record<string, string>;
  lines: number;
} {
  const hashes = new Map<string, Hash>();
  let lines = 0;
  for (const batch of generateOdooData(options)) {
    for (const { table, rows } of batch) {
      const hash = hashes.get(table) ?? createHash("sha256");
      hashes.set(table, hash);
      hash.update(toCopyText(rows, ODOO_TABLE_COLUMNS[table]));
      if (table === "account_move_line") lines += rows.length;
    }
  }
  return {
    hashes: Object.fromEntries([...hashes].map(([table, hash]) => [table, hash.digest("hex")])),
    lines,
  };
}

describe("generateOdooData", () => {
  it("gives identical rows for the same seed and different rows for another", () => {
    const first = digest({ seed: 7, rows: 3_000 });
    expect(digest({ seed: 7, rows: 3_000 })).toEqual(first);
    expect(digest({ seed: 7, rows: 3_000, batchEvents: 17 })).toEqual(first);
    const other = digest({ seed: 8, rows: 3_000 }).hashes;
    for (const table of ["res_partner", "account_move", "account_move_line", "sale_order"]) {
      expect(other[table], table).not.toBe(first.hashes[table]);
    }
    // The target is reached at a move boundary: a few lines over at most.
    expect(first.lines).toBeGreaterThanOrEqual(3_000);
    expect(first.lines).toBeLessThan(3_020);
  });

  it("streams batches of bounded size", () => {
    let largest = 0;
    for (const batch of generateOdooData({ seed: 1, rows: 20_000, batchEvents: 200 })) {
      const moves = batch.find((entry) => entry.table === "account_move")?.rows.length ?? 0;
      largest = Math.max(largest, moves);
    }
    // 200 events, each an invoice and perhaps its payment, plus the last group's spill.
    expect(largest).toBeLessThanOrEqual(2 * 203);
  });

  it("keeps write dates inside the history and shares them within a move", () => {
    const dates = new Map<unknown, Set<unknown>>();
    let newest = "";
    for (const batch of generateOdooData({ seed: 3, rows: 2_000 })) {
      for (const row of batch.find((entry) => entry.table === "account_move_line")?.rows ?? []) {
        const set = dates.get(row.move_id) ?? new Set();
        set.add(row.write_date);
        dates.set(row.move_id, set);
        if (String(row.write_date) > newest) newest = String(row.write_date);
      }
    }
    expect(newest <= "2025-12-31 23:59:59").toBe(true);
    // Lines share their move's write_date; a paid invoice's receivable line was rewritten.
    for (const set of dates.values()) expect(set.size).toBeLessThanOrEqual(2);
  });

  it("escapes text for COPY", () => {
    expect(
      toCopyText(
        [{ id: 1, name: "a\tb\\c\nd", note: null, ok: true, label: { en_US: "x" } }],
        ["id", "name", "note", "ok", "label"],
      ),
    ).toBe('1\ta\\tb\\\\c\\nd\t\\N\tt\t{"en_US":"x"}\n');
  });
});
