import { expect } from "vitest";
import type { OdooDatabase } from "../src/odoo/index.js";
import type { BronzeCopy } from "./odoo-bronze-copy.js";

// The finance invariants the gold marts must satisfy, computed independently with SQL
// on the source database (never with the code under test).

/** An exact amount (decimal text or an exact number) in integer cents. */
export function cents(value: unknown): bigint {
  if (value === null || value === undefined) return 0n;
  const text = typeof value === "number" ? value.toFixed(2) : String(value);
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
  const fraction = match?.[3] ?? "";
  if (!match || /[1-9]/.test(fraction.slice(2))) throw new Error(`not whole cents: ${text}`);
  const value_ = BigInt(match[2] as string) * 100n + BigInt(fraction.slice(0, 2).padEnd(2, "0"));
  return match[1] === "-" ? -value_ : value_;
}

const key = (row: Record<string, unknown>, columns: string[]) =>
  columns.map((column) => String(row[column] ?? "null")).join(":");

async function sourceAsOf(db: OdooDatabase): Promise<string> {
  const [row] = await db.query<{ as_of: string }>(
    "SELECT to_char(max(date), 'YYYY-MM-DD') AS as_of FROM account_move WHERE state = 'posted'",
  );
  return row?.as_of ?? "";
}

/**
 * The finance invariants, gold and silver against the source. Returns the ids of the
 * open invoices.
 */
export async function expectFinanceInvariants(
  db: OdooDatabase,
  copy: BronzeCopy,
): Promise<Set<number>> {
  // Every posted move balances, in the source and in silver, and silver has them all.
  expect(
    await db.query(
      `SELECT m.id FROM account_move m JOIN account_move_line l ON l.move_id = m.id
        WHERE m.state = 'posted' GROUP BY m.id HAVING sum(l.debit) <> sum(l.credit)`,
    ),
  ).toEqual([]);
  expect(
    await copy.rows(`SELECT move_id FROM silver_account_move_lines WHERE parent_state = 'posted'
      GROUP BY move_id HAVING SUM(debit) <> SUM(credit)`),
  ).toEqual([]);
  const [posted] = await db.query<{ n: string }>(
    "SELECT count(*)::text AS n FROM account_move WHERE state = 'posted'",
  );
  const [silverPosted] = await copy.rows(
    "SELECT CAST(COUNT(*) AS VARCHAR) AS n FROM silver_account_moves WHERE state = 'posted'",
  );
  expect(silverPosted?.n).toBe(posted?.n);

  // The GL: each account and month with posted items equals the source's sums; months
  // without items carry zeros; the last cumulative balance is the account's total.
  const sourceGl = await db.query<Record<string, string | number>>(
    `SELECT l.company_id, l.account_id, to_char(date_trunc('month', l.date), 'YYYY-MM-DD') AS month,
            sum(l.debit)::text AS debit, sum(l.credit)::text AS credit, sum(l.balance)::text AS balance
       FROM account_move_line l JOIN account_move m ON m.id = l.move_id
      WHERE m.state = 'posted' GROUP BY 1, 2, 3`,
  );
  const gl = await copy.rows(
    `SELECT company_id, account_id, CAST(month AS VARCHAR) AS month, CAST(debit AS VARCHAR) AS debit,
       CAST(credit AS VARCHAR) AS credit, CAST(balance AS VARCHAR) AS balance,
       CAST(cumulative_balance AS VARCHAR) AS cumulative_balance, line_count
     FROM gold_gl_balance_by_account_month`,
  );
  const glKeys = ["company_id", "account_id", "month"];
  const glByKey = new Map(gl.map((row) => [key(row, glKeys), row]));
  expect(sourceGl.length).toBeGreaterThan(20);
  for (const expected of sourceGl) {
    const row = glByKey.get(key(expected, glKeys));
    expect(row, key(expected, glKeys)).toBeDefined();
    expect([cents(row?.debit), cents(row?.credit), cents(row?.balance)]).toEqual([
      cents(expected.debit),
      cents(expected.credit),
      cents(expected.balance),
    ]);
  }
  const active = new Set(sourceGl.map((row) => key(row, glKeys)));
  for (const row of gl.filter((r) => !active.has(key(r, glKeys)))) {
    expect([cents(row.debit), cents(row.credit), Number(row.line_count)]).toEqual([0n, 0n, 0]);
  }
  const totals = new Map<string, bigint>();
  for (const row of sourceGl) {
    const account = key(row, ["company_id", "account_id"]);
    totals.set(account, (totals.get(account) ?? 0n) + cents(row.balance));
  }
  const latest = new Map<string, Record<string, unknown>>();
  for (const row of gl) {
    const account = key(row, ["company_id", "account_id"]);
    if (String(row.month) > String(latest.get(account)?.month ?? "")) latest.set(account, row);
  }
  expect(latest.size).toBe(totals.size);
  for (const [account, total] of totals) {
    expect(cents(latest.get(account)?.cumulative_balance), account).toBe(total);
  }
  // The trial balance of every company and month balances.
  expect(
    await copy.rows(`SELECT company_id, month FROM gold_gl_balance_by_account_month
      GROUP BY company_id, month HAVING SUM(debit) <> SUM(credit) OR SUM(balance) <> 0`),
  ).toEqual([]);

  // AR ageing: per customer, the open receivable residuals of posted items, bucketed
  // by days past due at the latest posted accounting date.
  const asOf = await sourceAsOf(db);
  const bucket = (low: number, high: number) =>
    `sum(CASE WHEN $1::date - coalesce(l.date_maturity, l.date) BETWEEN ${low} AND ${high} THEN l.amount_residual ELSE 0 END)::text`;
  const sourceAr = await db.query<Record<string, string | number>>(
    `SELECT l.company_id, coalesce(p.commercial_partner_id, l.partner_id) AS partner_id,
            sum(l.amount_residual)::text AS total_open,
            ${bucket(-100_000, 0)} AS bucket_current, ${bucket(1, 30)} AS bucket_1_30,
            ${bucket(31, 60)} AS bucket_31_60, ${bucket(61, 90)} AS bucket_61_90,
            ${bucket(91, 100_000)} AS bucket_over_90
       FROM account_move_line l
       JOIN account_move m ON m.id = l.move_id
       JOIN account_account a ON a.id = l.account_id
       LEFT JOIN res_partner p ON p.id = l.partner_id
      WHERE m.state = 'posted' AND a.account_type = 'asset_receivable' AND l.amount_residual <> 0
      GROUP BY 1, 2`,
    [asOf],
  );
  const amountColumns = [
    "total_open",
    "bucket_current",
    "bucket_1_30",
    "bucket_31_60",
    "bucket_61_90",
    "bucket_over_90",
  ];
  const ar = await copy.rows(
    `SELECT company_id, partner_id, CAST(as_of_date AS VARCHAR) AS as_of_date,
       ${amountColumns.map((c) => `CAST(${c} AS VARCHAR) AS ${c}`).join(", ")}
     FROM gold_ar_ageing`,
  );
  expect(ar.length).toBe(sourceAr.length);
  expect(sourceAr.length).toBeGreaterThan(5);
  const arByKey = new Map(ar.map((row) => [key(row, ["company_id", "partner_id"]), row]));
  for (const expected of sourceAr) {
    const row = arByKey.get(key(expected, ["company_id", "partner_id"]));
    expect(row?.as_of_date).toBe(asOf);
    expect(amountColumns.map((c) => cents(row?.[c]))).toEqual(
      amountColumns.map((c) => cents(expected[c])),
    );
  }

  // Revenue: posted customer invoices minus credit notes, untaxed, company currency —
  // in the source from the income lines, per customer and month, and from the
  // headers per month.
  const sourceRevenue = await db.query<Record<string, string | number>>(
    `SELECT m.company_id, to_char(date_trunc('month', m.date), 'YYYY-MM-DD') AS month,
            coalesce(m.commercial_partner_id, m.partner_id) AS partner_id, (-sum(l.balance))::text AS net
       FROM account_move m JOIN account_move_line l ON l.move_id = m.id AND l.display_type = 'product'
      WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund') GROUP BY 1, 2, 3`,
  );
  const revenue = await copy.rows(
    `SELECT company_id, CAST(month AS VARCHAR) AS month, partner_id, CAST(net_revenue AS VARCHAR) AS net
     FROM gold_revenue_by_month_customer`,
  );
  const revenueKeys = ["company_id", "month", "partner_id"];
  expect(revenue.length).toBe(sourceRevenue.length);
  const revenueByKey = new Map(revenue.map((row) => [key(row, revenueKeys), row]));
  for (const expected of sourceRevenue) {
    expect(
      cents(revenueByKey.get(key(expected, revenueKeys))?.net),
      key(expected, revenueKeys),
    ).toBe(cents(expected.net));
  }
  const sourceMonthly = await db.query<Record<string, string | number>>(
    `SELECT company_id, to_char(date_trunc('month', date), 'YYYY-MM-DD') AS month,
            sum(CASE move_type WHEN 'out_invoice' THEN abs(amount_untaxed_signed) ELSE -abs(amount_untaxed_signed) END)::text AS net
       FROM account_move WHERE state = 'posted' AND move_type IN ('out_invoice', 'out_refund') GROUP BY 1, 2`,
  );
  const monthly = await copy.rows(
    `SELECT company_id, CAST(month AS VARCHAR) AS month, CAST(SUM(net_revenue) AS VARCHAR) AS net,
       CAST(SUM(invoiced_untaxed) - SUM(credited_untaxed) AS VARCHAR) AS net_again
     FROM gold_revenue_by_month_customer GROUP BY company_id, month`,
  );
  const monthlyByKey = new Map(monthly.map((row) => [key(row, ["company_id", "month"]), row]));
  expect(monthly.length).toBe(sourceMonthly.length);
  for (const expected of sourceMonthly) {
    const row = monthlyByKey.get(key(expected, ["company_id", "month"]));
    expect([cents(row?.net), cents(row?.net_again)]).toEqual([
      cents(expected.net),
      cents(expected.net),
    ]);
  }

  // Open invoices: posted customer invoices and vendor bills with an amount due.
  const sourceOpen = await db.query<Record<string, string | number>>(
    `SELECT id, amount_residual::text AS residual, abs(amount_residual_signed)::text AS residual_company,
            greatest(0, $1::date - coalesce(invoice_date_due, invoice_date, date)) AS days_overdue
       FROM account_move
      WHERE state = 'posted' AND move_type IN ('out_invoice', 'in_invoice') AND amount_residual > 0
      ORDER BY id`,
    [asOf],
  );
  const open = await copy.rows(
    `SELECT move_id, CAST(residual AS VARCHAR) AS residual, CAST(residual_company AS VARCHAR) AS residual_company,
       days_overdue, CAST(as_of_date AS VARCHAR) AS as_of_date
     FROM gold_open_invoices ORDER BY move_id`,
  );
  expect(open.length).toBe(sourceOpen.length);
  expect(sourceOpen.length).toBeGreaterThan(5);
  for (const [index, expected] of sourceOpen.entries()) {
    const row = open[index];
    expect([
      Number(row?.move_id),
      cents(row?.residual),
      cents(row?.residual_company),
      Number(row?.days_overdue),
      row?.as_of_date,
    ]).toEqual([
      Number(expected.id),
      cents(expected.residual),
      cents(expected.residual_company),
      Number(expected.days_overdue),
      asOf,
    ]);
  }
  return new Set(open.map((row) => Number(row.move_id)));
}
