import { createDuckDbEngine } from "@controlroom/adapters/duckdb";
import { createPostgresSource } from "@controlroom/adapters/postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mutateOdooDatabase, seedOdooDatabase } from "../src/odoo/index.js";
import {
  ODOO_CHECKS,
  ODOO_GOLD,
  ODOO_SILVER,
  ODOO_STREAMS,
  odooGoldModels,
  odooSilverModels,
} from "../src/pipeline/index.js";
import { type BronzeCopy, createBronzeCopy } from "./odoo-bronze-copy.js";
import { cents, expectFinanceInvariants } from "./odoo-finance-invariants.js";
import { type OdooTestDatabase, pgliteOdoo } from "./odoo-test-db.js";

// The checks and models run on DuckDB over an in-process copy of what the medallion
// template's bronze layer will hold; every finance figure is compared with SQL run on
// the source database itself, not with the code under test.

/** Each gold table's row identity. */
const GOLD_KEYS: Record<string, string[]> = {
  gl_balance_by_account_month: ["company_id", "account_id", "month"],
  ar_ageing: ["company_id", "partner_id"],
  revenue_by_month_customer: ["company_id", "month", "partner_id"],
  open_invoices: ["move_id"],
};

describe("the Odoo pipeline's checks and models on DuckDB", () => {
  let handle: OdooTestDatabase;
  let copy: BronzeCopy;
  let openBefore: Set<number>;

  beforeAll(async () => {
    handle = await pgliteOdoo.open();
    await seedOdooDatabase(handle.db, { seed: 21, rows: 3_000 });
    const source = createPostgresSource({
      connection: handle.client,
      tables: ODOO_STREAMS.map((stream) => stream.name),
    });
    copy = await createBronzeCopy(createDuckDbEngine({ threads: 2 }), source, ODOO_STREAMS);
    await copy.ingest("run-1", "2026-01-01T00:00:00Z");
  }, 120_000);

  afterAll(async () => {
    await copy?.close();
    await handle?.close();
  });

  it("declares every stream's contract with the types bronze holds", () => {
    expect(ODOO_STREAMS.map((stream) => stream.name).sort()).toEqual(
      [...copy.schemas.keys()].sort(),
    );
    expect(ODOO_STREAMS).toHaveLength(12);
    for (const stream of ODOO_STREAMS) {
      const types = Object.fromEntries(
        (copy.schemas.get(stream.name) ?? []).map((column) => [column.name, column.type]),
      );
      for (const [column, type] of Object.entries(stream.contract ?? {})) {
        expect(types[column], `${stream.name}.${column}`).toBe(type);
      }
    }
  });

  it("passes every check on generated data", async () => {
    const names = ODOO_CHECKS.map((check) => check.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9_]{0,62}$/);
    expect(await copy.failedChecks(ODOO_CHECKS)).toEqual({});
  });

  it("reports exactly the posted move a changed line unbalances", async () => {
    const [line] = await copy.rows(
      `SELECT l.id, l.move_id, m.name AS move_name FROM current_account_move_line l
       JOIN current_account_move m ON m.id = l.move_id
       WHERE m.state = 'posted' AND l.display_type = 'product' AND CAST(l.debit AS DECIMAL(18,2)) > 0
       ORDER BY l.id LIMIT 1`,
    );
    expect(line).toBeDefined();
    // A newer version of the line, as a re-ingest after an edit would append it.
    const columns = (copy.schemas.get("account_move_line") ?? []).map((c) => c.name);
    const changed: Record<string, string> = {
      debit: "CAST(CAST(debit AS DECIMAL(18,2)) + 1 AS VARCHAR)",
      balance: "CAST(CAST(balance AS DECIMAL(18,2)) + 1 AS VARCHAR)",
      write_date: "write_date + INTERVAL 1 SECOND",
    };
    await copy.engine.execute(
      `INSERT INTO bronze_account_move_line (${columns.join(", ")}, _ingested_at, _cursor, _run_id)
       SELECT ${columns.map((c) => changed[c] ?? c).join(", ")}, TIMESTAMPTZ '2026-01-01 12:00:00+00', '[]', 'broken'
       FROM current_account_move_line WHERE id = ${Number(line?.id)}`,
    );
    try {
      const failed = await copy.failedChecks(ODOO_CHECKS);
      expect(Object.keys(failed)).toEqual(["posted_moves_balanced"]);
      const rows = failed.posted_moves_balanced ?? [];
      expect(rows.map((row) => Number(row.move_id))).toEqual([Number(line?.move_id)]);
      expect(cents(rows[0]?.difference)).toBe(100n);
      expect(rows[0]?.move_name).toBe(line?.move_name);
    } finally {
      await copy.engine.execute("DELETE FROM bronze_account_move_line WHERE _run_id = 'broken'");
    }
  });

  it("reports exactly the journal items of an account that was never ingested", async () => {
    const [account] = await copy.rows(
      "SELECT id FROM current_account_account WHERE code = '410000' ORDER BY company_id LIMIT 1",
    );
    const id = Number(account?.id);
    await copy.engine.execute(
      `CREATE TABLE removed_account AS SELECT * FROM bronze_account_account WHERE id = ${id};
       DELETE FROM bronze_account_account WHERE id = ${id}`,
    );
    try {
      const failed = await copy.failedChecks(ODOO_CHECKS);
      expect(Object.keys(failed)).toEqual(["account_move_line_account_id_resolves"]);
      const reported = (failed.account_move_line_account_id_resolves ?? [])
        .map((row) => Number(row.account_move_line_id))
        .sort((a, b) => a - b);
      const expected = await handle.db.query<{ id: number }>(
        "SELECT id FROM account_move_line WHERE account_id = $1 ORDER BY id",
        [id],
      );
      expect(expected.length).toBeGreaterThan(0);
      expect(reported).toEqual(expected.map((row) => row.id));
    } finally {
      await copy.engine.execute(
        `INSERT INTO bronze_account_account SELECT * FROM removed_account; DROP TABLE removed_account`,
      );
    }
  });

  it("warns about exactly the documents a wrong currency rate misprices", async () => {
    // A rate that some posted foreign-currency documents were converted at, doubled.
    const [rate] = await copy.rows(
      `SELECT r.id, r.company_id, r.currency_id, CAST(r.name AS VARCHAR) AS valid_from
       FROM current_res_currency_rate r
       JOIN current_account_move m ON m.currency_id = r.currency_id AND m.company_id = r.company_id
         AND m.state = 'posted' AND date_trunc('month', m.date) = r.name
       ORDER BY r.id LIMIT 1`,
    );
    const columns = (copy.schemas.get("res_currency_rate") ?? []).map((c) => c.name);
    const changed: Record<string, string> = {
      rate: "CAST(CAST(rate AS DECIMAL(24,12)) * 2 AS VARCHAR)",
      write_date: "write_date + INTERVAL 1 SECOND",
    };
    await copy.engine.execute(
      `INSERT INTO bronze_res_currency_rate (${columns.join(", ")}, _ingested_at, _cursor, _run_id)
       SELECT ${columns.map((c) => changed[c] ?? c).join(", ")}, TIMESTAMPTZ '2026-01-01 12:00:00+00', '[]', 'broken'
       FROM current_res_currency_rate WHERE id = ${Number(rate?.id)}`,
    );
    try {
      const failed = await copy.failedChecks(ODOO_CHECKS);
      expect(Object.keys(failed)).toEqual(["company_amounts_match_rates"]);
      expect(ODOO_CHECKS.find((c) => c.name === "company_amounts_match_rates")?.severity).toBe(
        "warn",
      );
      // The rate is valid from its date until the next rate of its currency and company.
      const expected = await handle.db.query<{ id: number }>(
        `SELECT m.id FROM account_move m
          WHERE m.state = 'posted' AND m.company_id = $1 AND m.currency_id = $2 AND m.date >= $3::date
            AND m.date < (SELECT min(name) FROM res_currency_rate
                           WHERE company_id = $1 AND currency_id = $2 AND name > $3::date)
          ORDER BY m.id`,
        [rate?.company_id, rate?.currency_id, rate?.valid_from],
      );
      expect(expected.length).toBeGreaterThan(0);
      const reported = (failed.company_amounts_match_rates ?? []).map((row) => Number(row.move_id));
      expect(reported.sort((a, b) => a - b)).toEqual(expected.map((row) => row.id));
    } finally {
      await copy.engine.execute("DELETE FROM bronze_res_currency_rate WHERE _run_id = 'broken'");
    }
  });

  it("builds silver and gold that agree with the source's books", async () => {
    await copy.build("silver", ODOO_SILVER);
    await copy.build("gold", ODOO_GOLD);
    openBefore = await expectFinanceInvariants(handle.db, copy);
    expect(openBefore.size).toBeGreaterThan(0);
  }, 60_000);

  it("gives silver and gold columns types a Delta table can hold, money as decimals", async () => {
    const columns = await copy.rows(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
       WHERE table_name LIKE 'silver_%' OR table_name LIKE 'gold_%'`,
    );
    expect(new Set(columns.map((c) => c.table_name)).size).toBe(
      ODOO_SILVER.length + ODOO_GOLD.length,
    );
    const writable =
      /^(VARCHAR|INTEGER|BIGINT|BOOLEAN|DATE|DOUBLE|TIMESTAMP WITH TIME ZONE|DECIMAL\(\d+,\d+\))$/;
    for (const column of columns) {
      expect(column.data_type, `${column.table_name}.${column.column_name}`).toMatch(writable);
      // Amounts are decimals; flags and counts that share their words are not amounts.
      const name = String(column.column_name);
      const amount = /debit|credit|balance|amount|residual|revenue|untaxed|bucket_|total_/;
      if (amount.test(name) && column.data_type !== "BOOLEAN" && !name.endsWith("_count")) {
        expect(column.data_type, `${column.table_name}.${column.column_name}`).toMatch(
          /^DECIMAL\(/,
        );
      }
    }
  });

  it("builds gold deterministically, one row per row identity", async () => {
    const read = async (name: string) =>
      copy.rows(`SELECT * FROM gold_${name} ORDER BY ${(GOLD_KEYS[name] ?? []).join(", ")}`);
    const first = Object.fromEntries(
      await Promise.all(ODOO_GOLD.map(async (m) => [m.name, await read(m.name)] as const)),
    );
    await copy.build("silver", ODOO_SILVER);
    await copy.build("gold", ODOO_GOLD);
    for (const model of ODOO_GOLD) {
      const keys = GOLD_KEYS[model.name] ?? [];
      expect(keys.length, model.name).toBeGreaterThan(0);
      expect(await read(model.name), model.name).toEqual(first[model.name]);
      expect(
        await copy.rows(
          `SELECT ${keys.join(", ")} FROM gold_${model.name} GROUP BY ${keys.join(", ")} HAVING COUNT(*) > 1`,
        ),
        model.name,
      ).toEqual([]);
    }
  });

  it("ages at a given as-of date instead of the data's latest", async () => {
    const asOf = "2025-06-30";
    const models = odooGoldModels({ asOf }).filter((model) => model.name === "open_invoices");
    const sql = models[0]?.sql ?? "";
    const [row] = await copy.rows(
      `SELECT DISTINCT CAST(as_of_date AS VARCHAR) AS as_of FROM (${sql}) AS t`,
    );
    expect(row?.as_of).toBe(asOf);
    expect(() => odooGoldModels({ asOf: "30/06/2025" })).toThrow(RangeError);
    expect(() => odooGoldModels({ asOf: "2025-02-30'; DROP TABLE x; --" })).toThrow(RangeError);
  });

  it("writes portable SQL: no DuckDB-only syntax, JSON read in one place", () => {
    const trino = [...odooSilverModels({ dialect: "trino" }), ...ODOO_GOLD, ...ODOO_CHECKS];
    for (const { name, sql } of trino) {
      expect(sql, name).not.toMatch(
        /::|\bEXCLUDE\b|\b(GROUP|ORDER) BY ALL\b|\bQUALIFY\b|json_extract_string|\blist_\w+\(|strftime|\bnow\(|current_date/i,
      );
    }
    const json = (models: readonly { name: string; sql: string }[]) =>
      models.filter((m) => /json_extract/.test(m.sql)).map((m) => m.name);
    expect(json(odooSilverModels({ dialect: "trino" }))).toEqual(json(ODOO_SILVER));
    expect(ODOO_SILVER.some((m) => m.sql.includes("json_extract_string"))).toBe(true);
  });

  it("still holds after the source changes and the changes are appended", async () => {
    const result = await mutateOdooDatabase(handle.db, { seed: 3, changes: 40 });
    expect(result.paidInvoices.length).toBeGreaterThan(0);
    const appended = await copy.ingest("run-2", "2026-01-02T00:00:00Z");
    for (const stream of ODOO_STREAMS) {
      const changed = result.changed[stream.name as keyof typeof result.changed] ?? [];
      expect(appended[stream.name], stream.name).toBe(changed.length);
    }
    // Bronze now holds two versions of the changed rows; current_ keeps the newest.
    const [counts] = await copy.rows(
      `SELECT (SELECT COUNT(*) FROM bronze_account_move) AS bronze,
              (SELECT COUNT(*) FROM current_account_move) AS current_rows`,
    );
    const [source] = await handle.db.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM account_move",
    );
    expect(Number(counts?.current_rows)).toBe(Number(source?.n));
    expect(Number(counts?.bronze)).toBeGreaterThan(Number(counts?.current_rows));

    expect(await copy.failedChecks(ODOO_CHECKS)).toEqual({});
    await copy.build("silver", ODOO_SILVER);
    await copy.build("gold", ODOO_GOLD);
    const openAfter = await expectFinanceInvariants(handle.db, copy);
    for (const id of result.paidInvoices) {
      expect(openBefore.has(id), `invoice ${id} was open`).toBe(true);
      expect(openAfter.has(id), `invoice ${id} is paid`).toBe(false);
    }
    const paid = await copy.rows(
      `SELECT move_id, payment_state, CAST(amount_residual AS VARCHAR) AS residual FROM silver_account_moves
       WHERE move_id IN (${result.paidInvoices.join(", ")}) ORDER BY move_id`,
    );
    expect(
      paid.map((row) => [Number(row.move_id), row.payment_state, cents(row.residual)]),
    ).toEqual([...result.paidInvoices].sort((a, b) => a - b).map((id) => [id, "paid", 0n]));
    const cancelled = await copy.rows(
      `SELECT DISTINCT state FROM silver_account_moves WHERE move_id IN (${[0, ...result.cancelledMoves].join(", ")})`,
    );
    if (result.cancelledMoves.length > 0) expect(cancelled).toEqual([{ state: "cancel" }]);
  }, 120_000);
});
