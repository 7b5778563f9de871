import type { MedallionStream } from "@controlroom/executor-kit/medallion";

// Bronze column types are the ones the Postgres source yields for Odoo's columns.
const INT = "integer"; // int4: Many2one ids, sequences
const TEXT = "string"; // varchar, text, selection fields
const JSON_TEXT = "string"; // jsonb (translatable names), as JSON text
const DECIMAL_TEXT = "string"; // numeric (Monetary, Float with digits), as exact decimal text
const DOUBLE = "double"; // float8 (plain Float)
const TIMESTAMP = "timestamp"; // Datetime: UTC
const DATE = "date";
const BOOL = "boolean";

const AUDIT = { create_date: TIMESTAMP, write_date: TIMESTAMP } as const;

function stream(name: string, contract: Record<string, string>): MedallionStream {
  return {
    name,
    primaryKey: ["id"],
    cursorFields: ["write_date", "id"],
    contract: { id: INT, ...contract, ...AUDIT },
  };
}

/**
 * The twelve Odoo 17 tables the pipeline ingests, each keyed by `id` and read
 * incrementally by `(write_date, id)`. Each contract lists the columns the checks and
 * silver models read, with their bronze types: validate fails when the source drops or
 * retypes one of them.
 *
 * The order is the ingest order, referencing tables before the tables they reference
 * (journal items before journal entries, transactions before master data). Each stream's
 * high-water mark is pinned when its read starts, so a table read later can only be
 * newer: a row committed between two reads may then appear as a parent without its new
 * children (harmless), never as a child whose parent is missing (which the reference
 * checks would fail on). `res_company` comes before `res_partner` because a company's
 * own partner is created with it.
 *
 * @example
 * ```ts
 * defineMedallionExecutor({ id: "odoo", version: "1", streams: ODOO_STREAMS, silver, gold });
 * ```
 */
export const ODOO_STREAMS: readonly MedallionStream[] = [
  stream("account_move_line", {
    move_id: INT,
    move_name: TEXT,
    date: DATE,
    ref: TEXT,
    parent_state: TEXT,
    journal_id: INT,
    company_id: INT,
    company_currency_id: INT,
    account_id: INT,
    partner_id: INT,
    product_id: INT,
    currency_id: INT,
    name: TEXT,
    display_type: TEXT,
    quantity: DECIMAL_TEXT,
    price_unit: DECIMAL_TEXT,
    discount: DECIMAL_TEXT,
    debit: DECIMAL_TEXT,
    credit: DECIMAL_TEXT,
    balance: DECIMAL_TEXT,
    amount_currency: DECIMAL_TEXT,
    price_subtotal: DECIMAL_TEXT,
    price_total: DECIMAL_TEXT,
    amount_residual: DECIMAL_TEXT,
    amount_residual_currency: DECIMAL_TEXT,
    reconciled: BOOL,
    date_maturity: DATE,
    matching_number: TEXT,
  }),
  stream("account_move", {
    name: TEXT,
    ref: TEXT,
    date: DATE,
    state: TEXT,
    move_type: TEXT,
    journal_id: INT,
    company_id: INT,
    currency_id: INT,
    partner_id: INT,
    commercial_partner_id: INT,
    reversed_entry_id: INT,
    invoice_date: DATE,
    invoice_date_due: DATE,
    invoice_origin: TEXT,
    payment_reference: TEXT,
    payment_state: TEXT,
    amount_untaxed: DECIMAL_TEXT,
    amount_tax: DECIMAL_TEXT,
    amount_total: DECIMAL_TEXT,
    amount_residual: DECIMAL_TEXT,
    amount_untaxed_signed: DECIMAL_TEXT,
    amount_tax_signed: DECIMAL_TEXT,
    amount_total_signed: DECIMAL_TEXT,
    amount_total_in_currency_signed: DECIMAL_TEXT,
    amount_residual_signed: DECIMAL_TEXT,
  }),
  stream("sale_order_line", {
    order_id: INT,
    sequence: INT,
    name: TEXT,
    display_type: TEXT,
    product_id: INT,
    product_uom_qty: DECIMAL_TEXT,
    price_unit: DECIMAL_TEXT,
    discount: DECIMAL_TEXT,
    price_subtotal: DECIMAL_TEXT,
    price_tax: DOUBLE,
    price_total: DECIMAL_TEXT,
    qty_delivered: DECIMAL_TEXT,
    qty_invoiced: DECIMAL_TEXT,
    qty_to_invoice: DECIMAL_TEXT,
    invoice_status: TEXT,
    state: TEXT,
    currency_id: INT,
    company_id: INT,
    order_partner_id: INT,
  }),
  stream("sale_order", {
    name: TEXT,
    state: TEXT,
    date_order: TIMESTAMP,
    validity_date: DATE,
    client_order_ref: TEXT,
    partner_id: INT,
    partner_invoice_id: INT,
    partner_shipping_id: INT,
    company_id: INT,
    currency_id: INT,
    currency_rate: DECIMAL_TEXT,
    invoice_status: TEXT,
    amount_untaxed: DECIMAL_TEXT,
    amount_tax: DECIMAL_TEXT,
    amount_total: DECIMAL_TEXT,
  }),
  stream("product_product", {
    product_tmpl_id: INT,
    default_code: TEXT,
    barcode: TEXT,
    active: BOOL,
  }),
  stream("product_template", {
    name: JSON_TEXT,
    detailed_type: TEXT,
    type: TEXT,
    list_price: DECIMAL_TEXT,
    sale_ok: BOOL,
    purchase_ok: BOOL,
    active: BOOL,
    company_id: INT,
  }),
  stream("account_journal", {
    name: JSON_TEXT,
    code: TEXT,
    active: BOOL,
    type: TEXT,
    default_account_id: INT,
    currency_id: INT,
    company_id: INT,
  }),
  stream("account_account", {
    name: JSON_TEXT,
    code: TEXT,
    account_type: TEXT,
    internal_group: TEXT,
    reconcile: BOOL,
    deprecated: BOOL,
    include_initial_balance: BOOL,
    currency_id: INT,
    company_id: INT,
  }),
  stream("res_currency_rate", {
    name: DATE,
    rate: DECIMAL_TEXT,
    currency_id: INT,
    company_id: INT,
  }),
  stream("res_company", {
    name: TEXT,
    partner_id: INT,
    currency_id: INT,
    parent_id: INT,
    active: BOOL,
    fiscalyear_last_day: INT,
    fiscalyear_last_month: TEXT,
  }),
  stream("res_partner", {
    name: TEXT,
    complete_name: TEXT,
    company_id: INT,
    parent_id: INT,
    commercial_partner_id: INT,
    ref: TEXT,
    vat: TEXT,
    type: TEXT,
    zip: TEXT,
    city: TEXT,
    email: TEXT,
    phone: TEXT,
    is_company: BOOL,
    active: BOOL,
    customer_rank: INT,
    supplier_rank: INT,
  }),
  stream("res_currency", {
    name: TEXT,
    full_name: TEXT,
    symbol: TEXT,
    rounding: DECIMAL_TEXT,
    decimal_places: INT,
    active: BOOL,
  }),
];
