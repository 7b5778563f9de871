import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  mutateOdooDatabase,
  ODOO_TABLE_COLUMNS,
  ODOO_TABLES,
  odooTableHashes,
  seedOdooDatabase,
} from "../src/odoo/index.js";
import { type OdooTestDatabase, odooDrivers, pgliteOdoo } from "./odoo-test-db.js";

describe.each(odooDrivers())("the Odoo source database on $name", (driver) => {
  let handle: OdooTestDatabase;
  beforeEach(async (context) => {
    if (!driver.available) context.skip();
    handle = await driver.open();
  });
  afterEach(async () => {
    await handle?.close();
  });

  it("has the generator's columns, in order, in every table", async () => {
    for (const table of ODOO_TABLES) {
      const rows = await handle.db.query<{ column_name: string }>(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
        [table],
      );
      expect(
        rows.map((row) => row.column_name),
        table,
      ).toEqual([...ODOO_TABLE_COLUMNS[table]]);
    }
  });

  it("loads generated data that satisfies every foreign key and balances every move", async () => {
    const indexes = () =>
      handle.db.query<{ indexname: string }>(
        "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname",
      );
    const before = await indexes();
    const { rows } = await seedOdooDatabase(handle.db, {
      seed: 5,
      rows: 2_000,
      checkForeignKeys: true,
    });
    expect(rows.account_move_line).toBeGreaterThanOrEqual(2_000);
    // Secondary indexes were dropped for the load and are back.
    expect(await indexes()).toEqual(before);
    expect(before.map((row) => row.indexname)).toContain("account_move_line_write_date_id_idx");
    const [balance] = await handle.db.query<{
      unbalanced: number | string;
      posted: number | string;
    }>(
      `SELECT (SELECT count(*) FROM (
                 SELECT l.move_id FROM account_move_line l GROUP BY l.move_id
                 HAVING sum(l.debit) <> sum(l.credit) OR sum(l.balance) <> 0
                     OR bool_or(l.debit < 0 OR l.credit < 0 OR l.balance <> l.debit - l.credit)) x) AS unbalanced,
              (SELECT count(*) FROM account_move WHERE state = 'posted') AS posted`,
    );
    expect(Number(balance?.unbalanced)).toBe(0);
    expect(Number(balance?.posted)).toBeGreaterThan(100);
    const kinds = await handle.db.query<{ kind: string }>(
      "SELECT DISTINCT move_type || '/' || state AS kind FROM account_move ORDER BY 1",
    );
    expect(kinds.map((row) => row.kind)).toEqual(
      expect.arrayContaining([
        "entry/posted",
        "out_invoice/posted",
        "out_invoice/draft",
        "out_refund/posted",
        "in_invoice/posted",
        "in_refund/posted",
      ]),
    );
    const [shape] = await handle.db.query<Record<string, number | string>>(
      `SELECT
         (SELECT count(DISTINCT currency_id) FROM account_move) AS currencies,
         (SELECT count(*) FROM account_move_line WHERE currency_id <> company_currency_id AND amount_currency = balance AND balance <> 0) AS unconverted,
         (SELECT count(*) FROM account_move_line l JOIN account_move m ON m.id = l.move_id WHERE l.parent_state <> m.state) AS stale_state,
         (SELECT count(*) FROM account_move WHERE payment_state = 'paid' AND amount_residual <> 0) AS paid_with_residual,
         (SELECT count(*) FROM account_move WHERE move_type = 'out_invoice' AND state = 'posted' AND amount_total_signed <= 0) AS wrong_sign,
         (SELECT count(*) - count(DISTINCT write_date) FROM account_move_line) AS shared_write_dates,
         (SELECT count(*) FROM sale_order) AS orders`,
    );
    expect(Number(shape?.currencies)).toBeGreaterThanOrEqual(4);
    expect(Number(shape?.unconverted)).toBe(0);
    expect(Number(shape?.stale_state)).toBe(0);
    expect(Number(shape?.paid_with_residual)).toBe(0);
    expect(Number(shape?.wrong_sign)).toBe(0);
    expect(Number(shape?.shared_write_dates)).toBeGreaterThan(1_000);
    expect(Number(shape?.orders)).toBeGreaterThan(0);
  });

  it("is deterministic: same seed, same table hashes on either driver; mutations too", async () => {
    await seedOdooDatabase(handle.db, { seed: 11, rows: 1_500 });
    const hashes = await odooTableHashes(handle.db);
    // The reference is always PGlite, so the Postgres run also compares across drivers.
    const reference = await pgliteOdoo.open();
    try {
      await seedOdooDatabase(reference.db, { seed: 11, rows: 1_500 });
      expect(await odooTableHashes(reference.db)).toEqual(hashes);
      const mutated = await mutateOdooDatabase(handle.db, { seed: 2, changes: 20 });
      expect(await mutateOdooDatabase(reference.db, { seed: 2, changes: 20 })).toEqual(mutated);
      const after = await odooTableHashes(handle.db);
      expect(await odooTableHashes(reference.db)).toEqual(after);
      expect(after.account_move).not.toBe(hashes.account_move);
      expect(after.res_currency).toBe(hashes.res_currency);
    } finally {
      await reference.close();
    }
  });

  it("changes a table's hash when one row changes", async () => {
    await seedOdooDatabase(handle.db, { seed: 4, rows: 500 });
    const before = await odooTableHashes(handle.db);
    await handle.db.query("UPDATE account_move_line SET name = name || '.' WHERE id = 42");
    const after = await odooTableHashes(handle.db);
    expect(after.account_move_line).not.toBe(before.account_move_line);
    expect({ ...after, account_move_line: "" }).toEqual({ ...before, account_move_line: "" });
  });
});
