import { nextId, nextSequence, type OdooCompanyContext, type OdooContext } from "./odoo-context.js";
import {
  formatCents,
  formatDate,
  formatMillionths,
  formatTimestamp,
  MICROS,
} from "./odoo-format.js";
import type { OdooRow } from "./odoo-tables.js";
import type { Random } from "./random.js";

/** One product line of an order (amounts in the order currency, cents). */
export interface OrderLineSpec {
  productId: number;
  name: string;
  qty: number;
  unit: number;
  /** Percent. */
  discount: number;
  subtotal: number;
  lineTax: number;
}

/** What {@link buildSaleOrder} builds. */
export interface SaleOrderSpec {
  company: OdooCompanyContext;
  partnerId: number;
  currencyId: number;
  /** The order currency's rate in millionths (see `rateAt`). */
  rate: number;
  /** For a confirmed order, when it was invoiced; for a quotation, when it was written. */
  micros: number;
  lines: OrderLineSpec[];
  /** `sale`: confirmed and fully invoiced; `draft`/`sent`: a quotation. */
  state: "sale" | "draft" | "sent";
}

const USERS = [2, 6, 7, 8];

/**
 * Builds a sale order and its lines. A confirmed order was placed some days before its
 * invoice and carries the invoice's write_date (invoicing writes the order); a quotation
 * was written at `micros` and has nothing invoiced.
 *
 * @example
 * ```ts
 * const { order, lines } = buildSaleOrder(context, random, { company, partnerId, currencyId, rate, micros, lines: specs, state: "sent" });
 * ```
 */
export function buildSaleOrder(
  context: OdooContext,
  random: Random,
  spec: SaleOrderSpec,
): { order: OdooRow; lines: OdooRow[] } {
  const id = nextId(context, "sale_order");
  const confirmed = spec.state === "sale";
  const orderedMicros = confirmed
    ? spec.micros - random.int(1, 10) * MICROS.day - random.int(0, 36_000) * MICROS.second
    : spec.micros;
  const created = formatTimestamp(orderedMicros);
  const written = formatTimestamp(spec.micros);
  const user = random.pick(USERS);
  const audit = { create_uid: user, create_date: created, write_uid: user, write_date: written };
  const invoiceStatus = confirmed ? "invoiced" : "no";
  let untaxed = 0;
  let tax = 0;
  const lines = spec.lines.map((line, index): OdooRow => {
    untaxed += line.subtotal;
    tax += line.lineTax;
    const qty = formatCents(line.qty * 100);
    return {
      id: nextId(context, "sale_order_line"),
      order_id: id,
      sequence: 10 + index,
      name: line.name,
      display_type: null,
      product_id: line.productId,
      product_uom_qty: qty,
      price_unit: formatCents(line.unit),
      discount: formatCents(line.discount * 100),
      price_subtotal: formatCents(line.subtotal),
      price_tax: line.lineTax / 100,
      price_total: formatCents(line.subtotal + line.lineTax),
      qty_delivered: confirmed ? qty : "0.00",
      qty_invoiced: confirmed ? qty : "0.00",
      qty_to_invoice: "0.00",
      invoice_status: invoiceStatus,
      state: spec.state,
      currency_id: spec.currencyId,
      company_id: spec.company.id,
      order_partner_id: spec.partnerId,
      ...audit,
    };
  });
  const order: OdooRow = {
    id,
    name: `S${String(nextSequence(context, "sale_order")).padStart(5, "0")}`,
    state: spec.state,
    locked: false,
    date_order: created,
    validity_date: formatDate(orderedMicros + 30 * MICROS.day),
    client_order_ref: random.chance(0.3) ? `PO-${random.int(1_000, 9_999)}` : null,
    origin: null,
    partner_id: spec.partnerId,
    partner_invoice_id: spec.partnerId,
    partner_shipping_id: spec.partnerId,
    company_id: spec.company.id,
    currency_id: spec.currencyId,
    currency_rate: formatMillionths(spec.rate),
    invoice_status: invoiceStatus,
    amount_untaxed: formatCents(untaxed),
    amount_tax: formatCents(tax),
    amount_total: formatCents(untaxed + tax),
    note: null,
    ...audit,
  };
  return { order, lines };
}
