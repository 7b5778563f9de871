/**
 * SQL building blocks the Odoo checks and models share. The SQL is standard where it can
 * be (CAST, CASE, COALESCE, window functions, `date_trunc`, `date_diff`, which DuckDB and
 * Trino both spell the same way); the one function the two dialects name differently,
 * reading a key of a JSON text, lives in {@link translatedText} and nowhere else.
 */

/** The SQL dialect the models are written for: the session's engine. */
export type OdooSqlDialect = "duckdb" | "trino";

/** Options of `odooSilverModels()` and `odooGoldModels()`. */
export interface OdooModelOptions {
  /**
   * The engine the SQL runs on; only the JSON function differs between them.
   * @default "duckdb"
   */
  dialect?: OdooSqlDialect | undefined;
}

/**
 * Column types of the silver and gold tables. Money has two decimals: this example's
 * companies book in EUR and USD, and the `amounts_fit_money_type` check fails when an
 * amount has more, so a cast never rounds silently. Widen `money` (and that check) for a
 * company with a three-decimal currency.
 */
export const SQL_TYPES = {
  /** Amounts in a currency. */
  money: "DECIMAL(18,2)",
  /** Exact comparisons in checks: wide enough for any Odoo amount. */
  exact: "DECIMAL(38,6)",
  /** Currency rates (Odoo stores up to 12 decimals). */
  rate: "DECIMAL(24,12)",
  /** Quantities and unit prices. */
  quantity: "DECIMAL(18,4)",
  /** Discounts in percent. */
  percent: "DECIMAL(9,4)",
} as const;

/** `CAST(expr AS <money>)`: an Odoo numeric (bronze text) or an aggregate as money. */
export function money(expr: string): string {
  return `CAST(${expr} AS ${SQL_TYPES.money})`;
}

/**
 * The English text of an Odoo translatable field (jsonb such as `{"en_US": "Bank"}`,
 * kept in bronze as JSON text). The only dialect-specific SQL in the pipeline: DuckDB's
 * `json_extract_string`, Trino's `json_extract_scalar`. A value without an `en_US` key
 * (a database whose main language is another) yields NULL.
 *
 * @example
 * ```ts
 * translatedText("duckdb", "a.name"); // "json_extract_string(a.name, '$.en_US')"
 * ```
 */
export function translatedText(dialect: OdooSqlDialect, expr: string): string {
  return dialect === "trino"
    ? `json_extract_scalar(${expr}, '$.en_US')`
    : `json_extract_string(${expr}, '$.en_US')`;
}

/**
 * One row per `res_currency_rate` with the range it is valid in: from its date
 * (`valid_from`, inclusive) to the next rate's date for the same company and currency
 * (`valid_to`, exclusive; NULL for the latest). Odoo's `rate` is units of the currency
 * per one unit of the company currency, so company amount = amount / rate. Rates with
 * no company apply to every company; company-specific ones take precedence (join both
 * and COALESCE, as {@link rateOnDateSql} does).
 */
export const RATE_RANGES_SQL = `SELECT r.id AS rate_id, r.company_id, r.currency_id,
    CAST(r.rate AS ${SQL_TYPES.rate}) AS rate,
    r.name AS valid_from,
    LEAD(r.name) OVER (PARTITION BY r.company_id, r.currency_id ORDER BY r.name) AS valid_to
  FROM current_res_currency_rate r`;

/**
 * Joins that find the rate of `currency` in `company` valid on `day`, given a CTE
 * `rate_ranges` made from {@link RATE_RANGES_SQL}; the rate is then
 * `COALESCE(<alias>_company.rate, <alias>_global.rate)`.
 *
 * @example
 * ```ts
 * rateOnDateSql("r", "m.company_id", "m.currency_id", "m.date");
 * ```
 */
export function rateOnDateSql(alias: string, company: string, currency: string, day: string) {
  const within = (name: string) =>
    `${name}.currency_id = ${currency} AND ${name}.valid_from <= ${day} AND (${name}.valid_to IS NULL OR ${day} < ${name}.valid_to)`;
  return `LEFT JOIN rate_ranges ${alias}_company ON ${alias}_company.company_id = ${company} AND ${within(`${alias}_company`)}
  LEFT JOIN rate_ranges ${alias}_global ON ${alias}_global.company_id IS NULL AND ${within(`${alias}_global`)}`;
}

/**
 * What kind of document a move is, from Odoo's `move_type` and its journal's type:
 * entries in bank and cash journals are payments (Odoo 17 keeps a payment as an
 * `entry` move; `account_payment` is not part of this source).
 */
export function documentKindSql(moveType: string, journalType: string): string {
  return `CASE ${moveType}
      WHEN 'out_invoice' THEN 'customer_invoice'
      WHEN 'out_refund' THEN 'customer_credit_note'
      WHEN 'in_invoice' THEN 'vendor_bill'
      WHEN 'in_refund' THEN 'vendor_credit_note'
      WHEN 'out_receipt' THEN 'sales_receipt'
      WHEN 'in_receipt' THEN 'purchase_receipt'
      ELSE CASE WHEN ${journalType} IN ('bank', 'cash') THEN 'payment' ELSE 'journal_entry' END
    END`;
}

/** Odoo's invoice-like move types, as an SQL list. */
export const INVOICE_TYPES_SQL = "('out_invoice', 'out_refund', 'in_invoice', 'in_refund')";
