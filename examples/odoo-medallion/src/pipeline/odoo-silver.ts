import type { MedallionModel } from "@controlroom/executor-kit/medallion";
import {
  documentKindSql,
  money,
  type OdooModelOptions,
  RATE_RANGES_SQL,
  SQL_TYPES,
  translatedText,
} from "./odoo-sql.js";

const { quantity, percent, rate } = SQL_TYPES;
const month = (day: string) => `CAST(date_trunc('month', ${day}) AS DATE)`;

/**
 * The silver models: one typed, de-duplicated table per Odoo entity, read from the
 * `current_<stream>` views (the newest version of each row). Ids keep Odoo's values and
 * are named `<entity>_id`; amounts are `DECIMAL(18,2)` (quantities and rates wider),
 * translatable names (jsonb) plain English text, timestamps UTC instants.
 *
 * Currencies. Odoo keeps `debit`, `credit`, `balance` and `amount_residual` of journal
 * items in company currency and `amount_currency` in the item's currency. On journal
 * entries the `*_signed` amounts are in company currency and the others in the document
 * currency; silver keeps both (`amount_total` and `amount_total_signed`…). Sale orders
 * have no company-currency amounts, so silver derives them from the rate Odoo stored on
 * the order (`currency_rate`: units of order currency per unit of company currency):
 * company amount = amount / currency_rate, rounded to cents (DuckDB divides decimals in
 * DOUBLE; exact to the cent for any realistic order). `currency_rates` gives every rate
 * with the range it is valid in, for conversions at any other date.
 *
 * @example
 * ```ts
 * const silver = odooSilverModels({ dialect: "trino" });
 * ```
 */
export function odooSilverModels(options: OdooModelOptions = {}): MedallionModel[] {
  const dialect = options.dialect ?? "duckdb";
  const english = (expr: string) => translatedText(dialect, expr);
  return [
    {
      name: "currencies",
      description: "Currencies: ISO code, name, symbol, rounding. One row per currency_id.",
      sql: `SELECT c.id AS currency_id, c.name AS currency_code, c.full_name AS currency_name, c.symbol,
  CAST(c.rounding AS ${rate}) AS rounding, c.decimal_places, COALESCE(c.active, FALSE) AS active,
  c.write_date AS updated_at
FROM current_res_currency c`,
    },
    {
      name: "companies",
      description: "Companies with their currency. One row per company_id.",
      sql: `SELECT co.id AS company_id, co.name AS company_name, co.partner_id, co.parent_id AS parent_company_id,
  co.currency_id, cur.name AS currency_code,
  co.fiscalyear_last_day, CAST(co.fiscalyear_last_month AS INTEGER) AS fiscalyear_last_month,
  COALESCE(co.active, FALSE) AS active, co.write_date AS updated_at
FROM current_res_company co
LEFT JOIN current_res_currency cur ON cur.id = co.currency_id`,
    },
    {
      name: "currency_rates",
      description:
        "Currency rates with their validity: rate = units of the currency per one unit of the company currency, valid from valid_from (inclusive) to valid_to (exclusive; NULL for the latest). company_id NULL: applies to every company without a rate of its own. One row per rate_id.",
      sql: `SELECT r.rate_id, r.company_id, co.currency_id AS company_currency_id, ccur.name AS company_currency_code,
  r.currency_id, cur.name AS currency_code, r.rate,
  CAST(1 / CAST(NULLIF(r.rate, 0) AS DOUBLE) AS ${rate}) AS company_currency_per_unit,
  r.valid_from, r.valid_to
FROM (${RATE_RANGES_SQL}) r
LEFT JOIN current_res_company co ON co.id = r.company_id
LEFT JOIN current_res_currency ccur ON ccur.id = co.currency_id
LEFT JOIN current_res_currency cur ON cur.id = r.currency_id`,
    },
    {
      name: "partners",
      description:
        "Partners (customers, vendors, contacts); commercial_partner_id is the company the partner belongs to, which reports group by. One row per partner_id.",
      sql: `SELECT p.id AS partner_id, p.name AS partner_name, COALESCE(p.complete_name, p.name) AS display_name,
  COALESCE(p.commercial_partner_id, p.id) AS commercial_partner_id, p.parent_id, p.company_id,
  p.ref, p.vat, p.type AS address_type, p.zip, p.city, p.email, p.phone,
  COALESCE(p.is_company, FALSE) AS is_company,
  COALESCE(p.customer_rank, 0) > 0 AS is_customer, COALESCE(p.supplier_rank, 0) > 0 AS is_vendor,
  COALESCE(p.active, FALSE) AS active, p.write_date AS updated_at
FROM current_res_partner p`,
    },
    {
      name: "accounts",
      description:
        "The chart of accounts per company: code, English name, Odoo account_type and internal_group. One row per account_id.",
      sql: `SELECT a.id AS account_id, a.company_id, a.code AS account_code, ${english("a.name")} AS account_name,
  a.account_type, a.internal_group, COALESCE(a.reconcile, FALSE) AS reconcile,
  COALESCE(a.deprecated, FALSE) AS deprecated,
  COALESCE(a.include_initial_balance, FALSE) AS include_initial_balance,
  a.currency_id, a.write_date AS updated_at
FROM current_account_account a`,
    },
    {
      name: "journals",
      description:
        "Journals per company (sale, purchase, bank, cash, general). One row per journal_id.",
      sql: `SELECT j.id AS journal_id, j.company_id, j.code AS journal_code, ${english("j.name")} AS journal_name,
  j.type AS journal_type, j.default_account_id, j.currency_id, COALESCE(j.active, FALSE) AS active,
  j.write_date AS updated_at
FROM current_account_journal j`,
    },
    {
      name: "account_moves",
      description:
        "Journal entries: invoices, credit notes, vendor bills, payments and other entries. amount_* in the document currency (currency_code, unsigned as Odoo shows them); amount_*_signed in company currency (company_currency_code), positive for money owed to the company (customer invoices, vendor credit notes), negative for customer credit notes and vendor bills. One row per move_id.",
      sql: `SELECT m.id AS move_id, m.name AS move_name, m.ref, m.move_type,
  ${documentKindSql("m.move_type", "j.type")} AS document_kind,
  m.state, m.payment_state,
  m.date AS accounting_date, ${month("m.date")} AS accounting_month,
  m.invoice_date, m.invoice_date_due,
  m.journal_id, j.code AS journal_code, j.type AS journal_type,
  m.company_id, co.currency_id AS company_currency_id, ccur.name AS company_currency_code,
  m.currency_id, cur.name AS currency_code,
  m.partner_id, COALESCE(m.commercial_partner_id, p.commercial_partner_id, m.partner_id) AS commercial_partner_id,
  m.reversed_entry_id, m.invoice_origin, m.payment_reference,
  ${money("m.amount_untaxed")} AS amount_untaxed,
  ${money("m.amount_tax")} AS amount_tax,
  ${money("m.amount_total")} AS amount_total,
  ${money("m.amount_residual")} AS amount_residual,
  ${money("m.amount_total_in_currency_signed")} AS amount_total_in_currency_signed,
  ${money("m.amount_untaxed_signed")} AS amount_untaxed_signed,
  ${money("m.amount_tax_signed")} AS amount_tax_signed,
  ${money("m.amount_total_signed")} AS amount_total_signed,
  ${money("m.amount_residual_signed")} AS amount_residual_signed,
  m.create_date AS created_at, m.write_date AS updated_at
FROM current_account_move m
LEFT JOIN current_account_journal j ON j.id = m.journal_id
LEFT JOIN current_res_company co ON co.id = m.company_id
LEFT JOIN current_res_currency ccur ON ccur.id = co.currency_id
LEFT JOIN current_res_currency cur ON cur.id = m.currency_id
LEFT JOIN current_res_partner p ON p.id = m.partner_id`,
    },
    {
      name: "account_move_lines",
      description:
        "Journal items. debit, credit, balance (= debit - credit) and amount_residual in company currency; amount_currency and amount_residual_currency in the item's currency (currency_code). parent_state is the journal entry's state. One row per move_line_id.",
      sql: `SELECT l.id AS move_line_id, l.move_id, COALESCE(m.name, l.move_name) AS move_name, m.move_type,
  COALESCE(m.state, l.parent_state) AS parent_state,
  COALESCE(l.date, m.date) AS accounting_date, ${month("COALESCE(l.date, m.date)")} AS accounting_month,
  COALESCE(l.company_id, m.company_id) AS company_id, l.company_currency_id,
  COALESCE(l.journal_id, m.journal_id) AS journal_id,
  l.account_id, a.code AS account_code, a.account_type, a.internal_group,
  l.partner_id, COALESCE(p.commercial_partner_id, l.partner_id) AS commercial_partner_id,
  l.product_id, l.currency_id, cur.name AS currency_code,
  l.display_type, l.name AS label, l.ref, l.sequence,
  CAST(l.quantity AS ${quantity}) AS quantity,
  CAST(l.price_unit AS ${quantity}) AS price_unit,
  CAST(l.discount AS ${percent}) AS discount,
  ${money("COALESCE(l.debit, '0')")} AS debit,
  ${money("COALESCE(l.credit, '0')")} AS credit,
  ${money("COALESCE(l.balance, '0')")} AS balance,
  ${money("COALESCE(l.amount_currency, '0')")} AS amount_currency,
  ${money("l.price_subtotal")} AS price_subtotal,
  ${money("l.price_total")} AS price_total,
  ${money("COALESCE(l.amount_residual, '0')")} AS amount_residual,
  ${money("COALESCE(l.amount_residual_currency, '0')")} AS amount_residual_currency,
  COALESCE(l.reconciled, FALSE) AS reconciled, l.date_maturity, l.matching_number,
  l.write_date AS updated_at
FROM current_account_move_line l
LEFT JOIN current_account_move m ON m.id = l.move_id
LEFT JOIN current_account_account a ON a.id = l.account_id
LEFT JOIN current_res_partner p ON p.id = l.partner_id
LEFT JOIN current_res_currency cur ON cur.id = l.currency_id`,
    },
    {
      name: "products",
      description:
        "Products (variants) with their template's English name, type and list price. One row per product_id.",
      sql: `SELECT pp.id AS product_id, pp.product_tmpl_id AS product_template_id, pp.default_code, pp.barcode,
  ${english("t.name")} AS product_name, t.detailed_type AS product_type,
  ${money("t.list_price")} AS list_price,
  COALESCE(t.sale_ok, FALSE) AS sale_ok, COALESCE(t.purchase_ok, FALSE) AS purchase_ok,
  COALESCE(pp.active, FALSE) AND COALESCE(t.active, FALSE) AS active, t.company_id,
  CASE WHEN t.write_date > pp.write_date THEN t.write_date ELSE pp.write_date END AS updated_at
FROM current_product_product pp
LEFT JOIN current_product_template t ON t.id = pp.product_tmpl_id`,
    },
    {
      name: "sale_orders",
      description:
        "Sale orders and quotations. amount_* in the order currency; amount_*_company in company currency at the order's own rate (amount / currency_rate). One row per sale_order_id.",
      sql: `SELECT o.id AS sale_order_id, o.name AS order_name, o.state, o.invoice_status,
  o.date_order AS ordered_at, CAST(o.date_order AS DATE) AS order_date, ${month("CAST(o.date_order AS DATE)")} AS order_month,
  o.validity_date, o.client_order_ref,
  o.partner_id, o.partner_invoice_id, o.partner_shipping_id,
  o.company_id, co.currency_id AS company_currency_id, ccur.name AS company_currency_code,
  o.currency_id, cur.name AS currency_code, CAST(o.currency_rate AS ${rate}) AS currency_rate,
  ${money("o.amount_untaxed")} AS amount_untaxed,
  ${money("o.amount_tax")} AS amount_tax,
  ${money("o.amount_total")} AS amount_total,
  ${toCompany("o.amount_untaxed", "o.currency_rate")} AS amount_untaxed_company,
  ${toCompany("o.amount_total", "o.currency_rate")} AS amount_total_company,
  o.write_date AS updated_at
FROM current_sale_order o
LEFT JOIN current_res_company co ON co.id = o.company_id
LEFT JOIN current_res_currency ccur ON ccur.id = co.currency_id
LEFT JOIN current_res_currency cur ON cur.id = o.currency_id`,
    },
    {
      name: "sale_order_lines",
      description:
        "Sale order lines; amounts in the order currency (currency_code). One row per sale_order_line_id.",
      sql: `SELECT l.id AS sale_order_line_id, l.order_id AS sale_order_id, l.sequence, l.display_type,
  l.product_id, l.name AS description,
  CAST(l.product_uom_qty AS ${quantity}) AS quantity,
  CAST(l.price_unit AS ${quantity}) AS price_unit,
  CAST(l.discount AS ${percent}) AS discount,
  ${money("l.price_subtotal")} AS price_subtotal,
  ${money("ROUND(l.price_tax, 2)")} AS price_tax,
  ${money("l.price_total")} AS price_total,
  CAST(l.qty_delivered AS ${quantity}) AS quantity_delivered,
  CAST(l.qty_invoiced AS ${quantity}) AS quantity_invoiced,
  CAST(l.qty_to_invoice AS ${quantity}) AS quantity_to_invoice,
  l.invoice_status, l.state, l.company_id, l.currency_id, cur.name AS currency_code,
  l.order_partner_id AS partner_id, l.write_date AS updated_at
FROM current_sale_order_line l
LEFT JOIN current_res_currency cur ON cur.id = l.currency_id`,
    },
  ];
}

// amount / rate in company currency, rounded to cents; NULL without a usable rate.
function toCompany(amount: string, rateExpr: string): string {
  return money(
    `ROUND(CAST(${amount} AS DOUBLE) / CAST(NULLIF(CAST(${rateExpr} AS ${rate}), 0) AS DOUBLE), 2)`,
  );
}

/**
 * The silver models in DuckDB SQL (see {@link odooSilverModels}).
 *
 * @example
 * ```ts
 * defineMedallionExecutor({ …, silver: ODOO_SILVER, gold: ODOO_GOLD });
 * ```
 */
export const ODOO_SILVER: readonly MedallionModel[] = odooSilverModels();
