import type { MedallionCheck, MedallionStream } from "@controlroom/executor-kit/medallion";
import { INVOICE_TYPES_SQL, RATE_RANGES_SQL, rateOnDateSql, SQL_TYPES } from "./odoo-sql.js";
import { ODOO_STREAMS } from "./odoo-streams.js";

const EXACT = SQL_TYPES.exact;
const exact = (expr: string) => `CAST(${expr} AS ${EXACT})`;

/**
 * `<stream>_keys_not_null`: every ingested row (in `bronze_<stream>`, so that re-ingested
 * versions count too) has its primary key and cursor fields.
 *
 * @example
 * ```ts
 * keyChecks(ODOO_STREAMS).map((check) => check.name); // ["account_move_line_keys_not_null", …]
 * ```
 */
export function keyChecks(streams: readonly MedallionStream[]): MedallionCheck[] {
  return streams.map((stream) => {
    const columns = [...new Set([...stream.primaryKey, ...stream.cursorFields])];
    return {
      name: `${stream.name}_keys_not_null`,
      description: `every ${stream.name} row has ${columns.join(", ")}`,
      sql: `SELECT ${columns.join(", ")}, _cursor, _run_id, _ingested_at FROM bronze_${stream.name}
WHERE ${columns.map((column) => `${column} IS NULL`).join(" OR ")}`,
    };
  });
}

/** A many-to-one reference from one stream's column to another stream's `id`. */
interface Reference {
  from: string;
  column: string;
  to: string;
  /** NULL is allowed; only a value that matches no row is a violation. */
  optional?: boolean;
  /** A condition under which NULL is allowed although the reference is required. */
  nullAllowedWhen?: string;
  severity?: "error" | "warn";
}

// Columns that name a row in a failure event, besides its id and the broken reference.
const IDENTITY: Record<string, string[]> = {
  account_move_line: ["move_id", "move_name", "display_type", "account_id", "debit", "credit"],
  account_move: ["name", "move_type", "state", "date", "amount_total"],
  sale_order_line: ["order_id", "name", "product_id", "price_subtotal"],
  sale_order: ["name", "state", "partner_id", "amount_total"],
  account_account: ["code"],
  account_journal: ["code"],
  product_product: ["default_code"],
  res_company: ["name"],
  res_currency_rate: ["name", "rate"],
};

const REFERENCES: Reference[] = [
  { from: "account_move_line", column: "move_id", to: "account_move" },
  {
    from: "account_move_line",
    column: "account_id",
    to: "account_account",
    // Section and note lines are layout, not accounting: Odoo gives them no account.
    nullAllowedWhen: "s.display_type IN ('line_section', 'line_note')",
  },
  { from: "account_move_line", column: "partner_id", to: "res_partner", optional: true },
  { from: "account_move_line", column: "currency_id", to: "res_currency" },
  { from: "account_move_line", column: "product_id", to: "product_product", optional: true },
  { from: "account_move", column: "journal_id", to: "account_journal" },
  { from: "account_move", column: "company_id", to: "res_company" },
  { from: "account_move", column: "currency_id", to: "res_currency" },
  { from: "account_move", column: "partner_id", to: "res_partner", optional: true },
  {
    from: "account_move",
    column: "reversed_entry_id",
    to: "account_move",
    optional: true,
    severity: "warn",
  },
  { from: "sale_order_line", column: "order_id", to: "sale_order" },
  { from: "sale_order_line", column: "product_id", to: "product_product", optional: true },
  { from: "sale_order", column: "partner_id", to: "res_partner" },
  { from: "sale_order", column: "company_id", to: "res_company" },
  { from: "product_product", column: "product_tmpl_id", to: "product_template" },
  { from: "account_journal", column: "company_id", to: "res_company" },
  { from: "account_account", column: "company_id", to: "res_company" },
  { from: "res_currency_rate", column: "currency_id", to: "res_currency" },
  { from: "res_company", column: "currency_id", to: "res_currency" },
];

/**
 * `<from>_<column>_resolves`: the reference names an existing current row of `to`.
 * Bronze is append-only, so a row deleted in Odoo stays in `current_<to>`: these checks
 * catch references to rows never ingested, not deletions at the source.
 */
function referenceCheck(ref: Reference): MedallionCheck {
  const shown = (IDENTITY[ref.from] ?? []).filter((column) => column !== ref.column);
  const select = [
    `s.id AS ${ref.from}_id`,
    `s.${ref.column}`,
    ...shown.map((column) => `s.${column}`),
  ];
  const missing = `(s.${ref.column} IS NOT NULL AND t.id IS NULL)`;
  const required = ref.optional
    ? ""
    : ` OR (s.${ref.column} IS NULL${ref.nullAllowedWhen ? ` AND NOT (${ref.nullAllowedWhen})` : ""})`;
  return {
    name: `${ref.from}_${ref.column}_resolves`,
    description: `${ref.from}.${ref.column} ${ref.optional ? "is NULL or names" : "names"} an existing ${ref.to}`,
    sql: `SELECT ${select.join(", ")}
FROM current_${ref.from} s
LEFT JOIN current_${ref.to} t ON t.id = s.${ref.column}
WHERE ${missing}${required}`,
    severity: ref.severity ?? "error",
  };
}

// Lines of posted moves, with the move's state (the line's parent_state may lag).
const POSTED_LINES = `current_account_move_line l
JOIN current_account_move m ON m.id = l.move_id AND m.state = 'posted'`;

const ACCOUNTING_CHECKS: MedallionCheck[] = [
  {
    name: "posted_moves_balanced",
    description:
      "every posted journal entry balances: the sum of its lines' debits equals the sum of their credits (company currency, exact decimals)",
    sql: `SELECT m.id AS move_id, m.name AS move_name, m.move_type, m.date, m.company_id,
  CAST(SUM(COALESCE(${exact("l.debit")}, 0)) AS ${EXACT}) AS total_debit,
  CAST(SUM(COALESCE(${exact("l.credit")}, 0)) AS ${EXACT}) AS total_credit,
  CAST(SUM(COALESCE(${exact("l.debit")}, 0)) - SUM(COALESCE(${exact("l.credit")}, 0)) AS ${EXACT}) AS difference,
  COUNT(*) AS line_count
FROM ${POSTED_LINES}
GROUP BY m.id, m.name, m.move_type, m.date, m.company_id
HAVING SUM(COALESCE(${exact("l.debit")}, 0)) <> SUM(COALESCE(${exact("l.credit")}, 0))`,
  },
  {
    // Journal items are ingested before journal entries (see ODOO_STREAMS), so an entry
    // posted between the two reads arrives without its items until the next ingest.
    name: "posted_moves_have_lines",
    description: "every posted journal entry has journal items",
    sql: `SELECT m.id AS move_id, m.name AS move_name, m.move_type, m.date, m.amount_total
FROM current_account_move m
LEFT JOIN current_account_move_line l ON l.move_id = m.id
WHERE m.state = 'posted' AND l.id IS NULL`,
    severity: "warn",
  },
  {
    name: "move_line_amounts_consistent",
    description:
      "every journal item has debit ≥ 0, credit ≥ 0, not both, and balance = debit - credit",
    sql: `SELECT l.id AS move_line_id, l.move_id, l.move_name, l.account_id, l.debit, l.credit, l.balance
FROM current_account_move_line l
WHERE ${exact("l.debit")} < 0 OR ${exact("l.credit")} < 0
  OR (${exact("l.debit")} > 0 AND ${exact("l.credit")} > 0)
  OR COALESCE(${exact("l.balance")}, 0) <> COALESCE(${exact("l.debit")}, 0) - COALESCE(${exact("l.credit")}, 0)`,
  },
  {
    name: "posted_moves_numbered",
    description: "every posted journal entry has its number (Odoo names drafts '/')",
    sql: `SELECT m.id AS move_id, m.name AS move_name, m.move_type, m.date, m.journal_id
FROM current_account_move m
WHERE m.state = 'posted' AND (m.name IS NULL OR m.name = '' OR m.name = '/')`,
  },
  {
    name: "posted_move_numbers_unique",
    description: "no two posted journal entries of a journal share a number",
    sql: `SELECT m.id AS move_id, m.name AS move_name, m.journal_id, m.company_id, m.date
FROM current_account_move m
JOIN (
  SELECT company_id, journal_id, name FROM current_account_move
  WHERE state = 'posted' AND name IS NOT NULL AND name <> '/'
  GROUP BY company_id, journal_id, name HAVING COUNT(*) > 1
) d ON d.company_id = m.company_id AND d.journal_id = m.journal_id AND d.name = m.name
WHERE m.state = 'posted'`,
  },
  {
    name: "move_line_company_matches_move",
    description: "every journal item belongs to its journal entry's company",
    sql: `SELECT l.id AS move_line_id, l.move_id, l.move_name, l.company_id AS line_company_id, m.company_id AS move_company_id
FROM current_account_move_line l
JOIN current_account_move m ON m.id = l.move_id
WHERE l.company_id IS NULL OR m.company_id IS NULL OR l.company_id <> m.company_id`,
  },
  {
    name: "move_line_account_in_company",
    description: "every journal item is booked on an account of its own company",
    sql: `SELECT l.id AS move_line_id, l.move_id, l.move_name, l.company_id, l.account_id, a.code AS account_code, a.company_id AS account_company_id
FROM current_account_move_line l
JOIN current_account_account a ON a.id = l.account_id
WHERE a.company_id <> l.company_id`,
  },
  {
    name: "move_line_state_matches_move",
    description:
      "every journal item's parent_state is its journal entry's state (silver uses the entry's)",
    sql: `SELECT l.id AS move_line_id, l.move_id, l.move_name, l.parent_state, m.state AS move_state
FROM current_account_move_line l
JOIN current_account_move m ON m.id = l.move_id
WHERE l.parent_state IS NULL OR l.parent_state <> m.state`,
    severity: "warn",
  },
  {
    name: "amounts_fit_money_type",
    description: `journal item and invoice amounts have at most two decimals, so silver's ${SQL_TYPES.money} holds them exactly`,
    sql: `SELECT 'account_move_line' AS source_table, l.id, l.move_name AS document, l.debit AS amount_1, l.credit AS amount_2, l.amount_currency AS amount_3
FROM current_account_move_line l
WHERE ${[
      "debit",
      "credit",
      "balance",
      "amount_currency",
      "amount_residual",
      "amount_residual_currency",
    ]
      .map((c) => `${exact(`l.${c}`)} <> ${exact(`CAST(l.${c} AS ${SQL_TYPES.money})`)}`)
      .join(" OR ")}
UNION ALL
SELECT 'account_move' AS source_table, m.id, m.name AS document, m.amount_total AS amount_1, m.amount_total_signed AS amount_2, m.amount_residual AS amount_3
FROM current_account_move m
WHERE ${[
      "amount_untaxed",
      "amount_tax",
      "amount_total",
      "amount_residual",
      "amount_untaxed_signed",
      "amount_tax_signed",
      "amount_total_signed",
      "amount_residual_signed",
    ]
      .map((c) => `${exact(`m.${c}`)} <> ${exact(`CAST(m.${c} AS ${SQL_TYPES.money})`)}`)
      .join(" OR ")}`,
  },
];

// Posted invoices with the sums of their receivable/payable (payment term) lines.
const INVOICE_TERMS = `SELECT m.id AS move_id, m.name AS move_name, m.move_type, m.company_id,
    ${exact("m.amount_total_signed")} AS amount_total_signed,
    ${exact("m.amount_residual_signed")} AS amount_residual_signed,
    CAST(SUM(COALESCE(${exact("l.balance")}, 0)) AS ${EXACT}) AS term_balance,
    CAST(SUM(COALESCE(${exact("l.amount_residual")}, 0)) AS ${EXACT}) AS term_residual
  FROM current_account_move m
  JOIN current_account_move_line l ON l.move_id = m.id AND l.display_type = 'payment_term'
  WHERE m.state = 'posted' AND m.move_type IN ${INVOICE_TYPES_SQL}
  GROUP BY m.id, m.name, m.move_type, m.company_id, m.amount_total_signed, m.amount_residual_signed`;

const INVOICE_CHECKS: MedallionCheck[] = [
  {
    name: "invoice_total_matches_term_lines",
    description:
      "a posted invoice's total in company currency (amount_total_signed) equals the balance of its receivable/payable lines",
    sql: `SELECT move_id, move_name, move_type, company_id, amount_total_signed, term_balance
FROM (${INVOICE_TERMS}) t
WHERE amount_total_signed <> term_balance`,
  },
  {
    // A payment rewrites the invoice and its receivable line in one transaction, but the
    // two streams are read at slightly different moments: a warning, not a failure.
    name: "invoice_residual_matches_term_lines",
    description:
      "a posted invoice's amount due in company currency (amount_residual_signed) equals the residual of its receivable/payable lines",
    sql: `SELECT move_id, move_name, move_type, company_id, amount_residual_signed, term_residual
FROM (${INVOICE_TERMS}) t
WHERE amount_residual_signed <> term_residual`,
    severity: "warn",
  },
  {
    name: "invoice_residual_within_total",
    description: "a posted invoice's amount due is between zero and its total (document currency)",
    sql: `SELECT m.id AS move_id, m.name AS move_name, m.move_type, m.payment_state, m.amount_total, m.amount_residual
FROM current_account_move m
WHERE m.state = 'posted' AND m.move_type IN ${INVOICE_TYPES_SQL}
  AND (${exact("m.amount_residual")} < 0 OR ${exact("m.amount_residual")} > ${exact("m.amount_total")})`,
  },
  {
    name: "paid_invoices_settled",
    description: "a posted invoice marked paid has nothing left to pay",
    sql: `SELECT m.id AS move_id, m.name AS move_name, m.move_type, m.payment_state, m.amount_residual
FROM current_account_move m
WHERE m.state = 'posted' AND m.payment_state = 'paid' AND ${exact("m.amount_residual")} <> 0`,
  },
];

const CURRENCY_CHECKS: MedallionCheck[] = [
  {
    name: "currency_rates_positive",
    description: "every currency rate is a positive number",
    sql: `SELECT r.id AS rate_id, r.currency_id, r.company_id, r.name AS rate_date, r.rate
FROM current_res_currency_rate r
WHERE r.rate IS NULL OR ${exact("r.rate")} <= 0`,
  },
  {
    name: "currency_rates_unique_per_day",
    description:
      "at most one rate per currency, company and day (else the valid rate is ambiguous)",
    sql: `SELECT r.id AS rate_id, r.currency_id, r.company_id, r.name AS rate_date, r.rate
FROM current_res_currency_rate r
JOIN (
  SELECT currency_id, company_id, name FROM current_res_currency_rate
  GROUP BY currency_id, company_id, name HAVING COUNT(*) > 1
) d ON d.currency_id = r.currency_id AND d.name = r.name
  AND (d.company_id = r.company_id OR (d.company_id IS NULL AND r.company_id IS NULL))`,
  },
  {
    // Rounding: Odoo converts line by line, so a total may differ from total / rate by a
    // few cents; more than 0.5% means a wrong rate or a wrong currency on the document.
    name: "company_amounts_match_rates",
    description:
      "a posted foreign-currency document's total in company currency is its total divided by the rate valid on its date (within 0.5% + 0.01)",
    sql: `WITH rate_ranges AS (${RATE_RANGES_SQL})
SELECT m.id AS move_id, m.name AS move_name, m.move_type, m.date, m.currency_id,
  m.amount_total, m.amount_total_signed, COALESCE(r_company.rate, r_global.rate) AS rate
FROM current_account_move m
JOIN current_res_company c ON c.id = m.company_id
${rateOnDateSql("r", "m.company_id", "m.currency_id", "m.date")}
WHERE m.state = 'posted' AND m.currency_id <> c.currency_id
  AND COALESCE(r_company.rate, r_global.rate) > 0
  AND ABS(ABS(CAST(m.amount_total_signed AS DOUBLE))
      - CAST(m.amount_total AS DOUBLE) / CAST(COALESCE(r_company.rate, r_global.rate) AS DOUBLE))
    > 0.01 + 0.005 * CAST(m.amount_total AS DOUBLE) / CAST(COALESCE(r_company.rate, r_global.rate) AS DOUBLE)`,
    severity: "warn",
  },
  {
    name: "foreign_documents_have_rates",
    description:
      "every posted document in a foreign currency has a rate valid on its date (else company amounts cannot be checked)",
    sql: `WITH rate_ranges AS (${RATE_RANGES_SQL})
SELECT m.id AS move_id, m.name AS move_name, m.date, m.currency_id, m.company_id
FROM current_account_move m
JOIN current_res_company c ON c.id = m.company_id
${rateOnDateSql("r", "m.company_id", "m.currency_id", "m.date")}
WHERE m.state = 'posted' AND m.currency_id <> c.currency_id
  AND r_company.rate_id IS NULL AND r_global.rate_id IS NULL`,
    severity: "warn",
  },
];

const SALES_CHECKS: MedallionCheck[] = [
  {
    name: "sale_order_totals_match_lines",
    description: "a confirmed sale order's untaxed amount is the sum of its lines' subtotals",
    sql: `SELECT o.id AS sale_order_id, o.name AS order_name, o.state, o.amount_untaxed,
  CAST(SUM(COALESCE(${exact("l.price_subtotal")}, 0)) AS ${EXACT}) AS lines_untaxed
FROM current_sale_order o
JOIN current_sale_order_line l ON l.order_id = o.id
WHERE o.state = 'sale'
GROUP BY o.id, o.name, o.state, o.amount_untaxed
HAVING ${exact("o.amount_untaxed")} <> SUM(COALESCE(${exact("l.price_subtotal")}, 0))`,
    severity: "warn",
  },
];

/**
 * The row checks validate runs on the Odoo bronze views. Each selects the violating rows
 * with the columns that identify them (ids, numbers, amounts), so a failure event names
 * them. `error` checks guard what the gold marts rely on (keys, balanced posted entries,
 * references, invoice headers that agree with their lines, positive rates); `warn`
 * checks flag what may be a moment's skew between streams or a data-entry problem.
 *
 * @example
 * ```ts
 * defineMedallionExecutor({ …, streams: ODOO_STREAMS, checks: ODOO_CHECKS });
 * ```
 */
export const ODOO_CHECKS: readonly MedallionCheck[] = [
  ...keyChecks(ODOO_STREAMS),
  ...REFERENCES.map(referenceCheck),
  ...ACCOUNTING_CHECKS,
  ...INVOICE_CHECKS,
  ...CURRENCY_CHECKS,
  ...SALES_CHECKS,
];
