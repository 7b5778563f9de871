import type { MedallionModel } from "@controlroom/executor-kit/medallion";
import { money } from "./odoo-sql.js";

/** Options of {@link odooGoldModels}. */
export interface OdooGoldOptions {
  /**
   * The date ageing and days overdue are measured at (`YYYY-MM-DD`). Never the clock:
   * rebuilding the same silver versions must give the same rows.
   * @default the latest accounting date of a posted journal entry in silver
   */
  asOf?: string | undefined;
}

/**
 * The reference date as a one-row CTE body: a fixed date, or the latest accounting
 * date of a posted entry (which moves only when new entries are ingested).
 */
function asOfSql(asOf: string | undefined): string {
  if (asOf === undefined) {
    return "SELECT MAX(accounting_date) AS as_of_date FROM silver_account_moves WHERE state = 'posted'";
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(`${asOf}T00:00:00Z`))) {
    throw new RangeError(`asOf must be a date as YYYY-MM-DD, got ${JSON.stringify(asOf)}`);
  }
  return `SELECT CAST('${asOf}' AS DATE) AS as_of_date`;
}

// Days overdue as the ageing buckets name them.
function bucketSql(daysOverdue: string): string {
  return `CASE WHEN ${daysOverdue} <= 0 THEN 'current'
      WHEN ${daysOverdue} <= 30 THEN '1-30'
      WHEN ${daysOverdue} <= 60 THEN '31-60'
      WHEN ${daysOverdue} <= 90 THEN '61-90'
      ELSE '90+' END`;
}

const sumWhen = (condition: string, amount: string) =>
  money(`SUM(CASE WHEN ${condition} THEN ${amount} ELSE 0 END)`);
const countWhen = (condition: string) =>
  `CAST(SUM(CASE WHEN ${condition} THEN 1 ELSE 0 END) AS BIGINT)`;

/**
 * The gold marts, over the `silver_<name>` tables. All amounts are in company currency
 * unless a column says otherwise, and only posted entries count. Each mart's description
 * names its row identity; the SQL is deterministic (no clock, no unordered window).
 *
 * "As of": `ar_ageing` and `open_invoices` measure days overdue at `asOf`, by default
 * the latest accounting date of a posted entry in the data, so a rebuild of the same
 * inputs gives identical rows and the date only moves when newer entries arrive. The
 * amounts still due are the ones ingested (Odoo's current residuals), whatever `asOf` is.
 *
 * @example
 * ```ts
 * const gold = odooGoldModels({ asOf: "2025-12-31" });
 * ```
 */
export function odooGoldModels(options: OdooGoldOptions = {}): MedallionModel[] {
  const asOf = asOfSql(options.asOf);
  return [
    {
      name: "gl_balance_by_account_month",
      description:
        "General ledger per company, account and month, from the account's first posted entry to the company's latest month (months without entries carry the balance). debit, credit, balance: the month's posted journal items; cumulative_balance: all posted items up to the month's end; year_to_date_balance: since the start of the calendar year (the companies close their fiscal year on 31 December). Row identity: (company_id, account_id, month).",
      sql: `WITH posted AS (
  SELECT company_id, account_id, accounting_month AS month,
    SUM(debit) AS debit, SUM(credit) AS credit, SUM(balance) AS balance, COUNT(*) AS line_count
  FROM silver_account_move_lines
  WHERE parent_state = 'posted' AND account_id IS NOT NULL
  GROUP BY company_id, account_id, accounting_month
),
months AS (SELECT DISTINCT company_id, month FROM posted),
opened AS (
  SELECT company_id, account_id, MIN(month) AS first_month FROM posted GROUP BY company_id, account_id
),
grid AS (
  SELECT o.company_id, o.account_id, m.month
  FROM opened o JOIN months m ON m.company_id = o.company_id AND m.month >= o.first_month
)
SELECT g.company_id, co.company_name, co.currency_code AS company_currency_code,
  g.account_id, a.account_code, a.account_name, a.account_type, a.internal_group,
  g.month, CAST(EXTRACT(YEAR FROM g.month) AS INTEGER) AS calendar_year,
  ${money("COALESCE(p.debit, 0)")} AS debit,
  ${money("COALESCE(p.credit, 0)")} AS credit,
  ${money("COALESCE(p.balance, 0)")} AS balance,
  ${money(`SUM(COALESCE(p.balance, 0)) OVER (PARTITION BY g.company_id, g.account_id ORDER BY g.month ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`)} AS cumulative_balance,
  ${money(`SUM(COALESCE(p.balance, 0)) OVER (PARTITION BY g.company_id, g.account_id, EXTRACT(YEAR FROM g.month) ORDER BY g.month ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`)} AS year_to_date_balance,
  CAST(COALESCE(p.line_count, 0) AS BIGINT) AS line_count
FROM grid g
LEFT JOIN posted p ON p.company_id = g.company_id AND p.account_id = g.account_id AND p.month = g.month
LEFT JOIN silver_accounts a ON a.account_id = g.account_id
LEFT JOIN silver_companies co ON co.company_id = g.company_id`,
    },
    {
      name: "ar_ageing",
      description:
        "Open customer receivables per company and customer (commercial partner), aged by due date (date_maturity, else the accounting date) at as_of_date: not yet due ('current'), 1-30, 31-60, 61-90 and over 90 days overdue. Amounts: the open residual of posted receivable journal items in company currency; unapplied credit notes count negative. Row identity: (company_id, partner_id).",
      sql: `WITH as_of AS (${asOf}),
open_items AS (
  SELECT l.company_id, l.commercial_partner_id AS partner_id, l.amount_residual AS residual,
    o.as_of_date, COALESCE(l.date_maturity, l.accounting_date) AS due_date,
    date_diff('day', COALESCE(l.date_maturity, l.accounting_date), o.as_of_date) AS days_overdue
  FROM silver_account_move_lines l
  CROSS JOIN as_of o
  WHERE l.parent_state = 'posted' AND l.account_type = 'asset_receivable' AND l.amount_residual <> 0
)
SELECT i.company_id, co.company_name, co.currency_code AS company_currency_code,
  i.partner_id, COALESCE(p.partner_name, '(no partner)') AS partner_name,
  i.as_of_date,
  ${sumWhen("i.days_overdue <= 0", "i.residual")} AS bucket_current,
  ${sumWhen("i.days_overdue BETWEEN 1 AND 30", "i.residual")} AS bucket_1_30,
  ${sumWhen("i.days_overdue BETWEEN 31 AND 60", "i.residual")} AS bucket_31_60,
  ${sumWhen("i.days_overdue BETWEEN 61 AND 90", "i.residual")} AS bucket_61_90,
  ${sumWhen("i.days_overdue > 90", "i.residual")} AS bucket_over_90,
  ${money("SUM(i.residual)")} AS total_open,
  ${money("SUM(CASE WHEN i.days_overdue > 0 THEN i.residual ELSE 0 END)")} AS total_overdue,
  MIN(i.due_date) AS oldest_due_date,
  CAST(COUNT(*) AS BIGINT) AS open_items
FROM open_items i
LEFT JOIN silver_partners p ON p.partner_id = i.partner_id
LEFT JOIN silver_companies co ON co.company_id = i.company_id
GROUP BY i.company_id, co.company_name, co.currency_code, i.partner_id, p.partner_name, i.as_of_date`,
    },
    {
      name: "revenue_by_month_customer",
      description:
        "Revenue per company, accounting month and customer (commercial partner): posted customer invoices minus posted customer credit notes, untaxed, in company currency (Odoo's amount_untaxed_signed). Row identity: (company_id, month, partner_id).",
      sql: `SELECT m.company_id, co.company_name, co.currency_code AS company_currency_code,
  m.accounting_month AS month, m.commercial_partner_id AS partner_id,
  COALESCE(p.partner_name, '(no partner)') AS partner_name,
  ${sumWhen("m.move_type = 'out_invoice'", "m.amount_untaxed_signed")} AS invoiced_untaxed,
  ${sumWhen("m.move_type = 'out_refund'", "-m.amount_untaxed_signed")} AS credited_untaxed,
  ${money("SUM(m.amount_untaxed_signed)")} AS net_revenue,
  ${countWhen("m.move_type = 'out_invoice'")} AS invoice_count,
  ${countWhen("m.move_type = 'out_refund'")} AS credit_note_count
FROM silver_account_moves m
LEFT JOIN silver_partners p ON p.partner_id = m.commercial_partner_id
LEFT JOIN silver_companies co ON co.company_id = m.company_id
WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
GROUP BY m.company_id, co.company_name, co.currency_code, m.accounting_month,
  m.commercial_partner_id, p.partner_name`,
    },
    {
      name: "open_invoices",
      description:
        "Posted customer invoices and vendor bills with an amount still due: number, partner, dates, days overdue at as_of_date (0 when not yet due), the amount due in the document currency and in company currency. Row identity: move_id.",
      sql: `WITH as_of AS (${asOf}),
open_documents AS (
  SELECT m.*, o.as_of_date,
    date_diff('day', COALESCE(m.invoice_date_due, m.invoice_date, m.accounting_date), o.as_of_date) AS days_past_due
  FROM silver_account_moves m
  CROSS JOIN as_of o
  WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'in_invoice') AND m.amount_residual > 0
)
SELECT i.move_id, i.move_name AS document_number, i.move_type, i.document_kind,
  i.company_id, co.company_name, i.commercial_partner_id AS partner_id,
  COALESCE(p.partner_name, '(no partner)') AS partner_name,
  i.invoice_date, i.invoice_date_due AS due_date, i.as_of_date,
  CAST(CASE WHEN i.days_past_due > 0 THEN i.days_past_due ELSE 0 END AS INTEGER) AS days_overdue,
  ${bucketSql("i.days_past_due")} AS ageing_bucket,
  i.payment_state,
  i.currency_code, i.amount_total, i.amount_residual AS residual,
  i.company_currency_code, ${money("ABS(i.amount_residual_signed)")} AS residual_company,
  i.amount_residual_signed AS residual_company_signed
FROM open_documents i
LEFT JOIN silver_partners p ON p.partner_id = i.commercial_partner_id
LEFT JOIN silver_companies co ON co.company_id = i.company_id`,
    },
  ];
}

/**
 * The gold marts as of the latest posted accounting date (see {@link odooGoldModels}).
 *
 * @example
 * ```ts
 * defineMedallionExecutor({ …, silver: ODOO_SILVER, gold: ODOO_GOLD });
 * ```
 */
export const ODOO_GOLD: readonly MedallionModel[] = odooGoldModels();
