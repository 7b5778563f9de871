import { buildInvoice, type InvoiceMoveType } from "./build-invoice.js";
import { applyReconciliation, buildPayment } from "./build-payment.js";
import { buildSaleOrder } from "./build-sale-order.js";
import type { OdooContext } from "./odoo-context.js";
import { MICROS } from "./odoo-format.js";
import type { OdooRow } from "./odoo-tables.js";
import type { Random } from "./random.js";

/** The transactional rows one or more activities add, per table. */
export interface ActivityRows {
  sale_order: OdooRow[];
  sale_order_line: OdooRow[];
  account_move: OdooRow[];
  account_move_line: OdooRow[];
}

/** Recently posted invoices per company and side, which credit notes may reverse. */
export type RecentInvoices = Map<string, { moveId: number; partnerId: number }[]>;

/** Options of {@link buildActivity}. */
export interface ActivityOptions {
  /** Payments dated after this (microseconds) are not made: the invoice stays open. */
  endMicros: number;
  recent: RecentInvoices;
}

/**
 * Empty {@link ActivityRows}.
 *
 * @example
 * ```ts
 * const out = emptyActivityRows();
 * ```
 */
export function emptyActivityRows(): ActivityRows {
  return { sale_order: [], sale_order_line: [], account_move: [], account_move_line: [] };
}

/**
 * Builds one business event at `micros` and appends its rows to `out`: a customer invoice
 * (often from a sale order), a vendor bill or a credit note, drafts and cancellations
 * among them; for most posted invoices also the payment that settles them (in full or
 * in part) some days later, which rewrites the invoice's payment state and write_date.
 * The mix is fixed here so that the generator and `mutateOdooDatabase` agree.
 *
 * @example
 * ```ts
 * const out = emptyActivityRows();
 * buildActivity(context, random, micros, { endMicros, recent: new Map() }, out);
 * ```
 */
export function buildActivity(
  context: OdooContext,
  random: Random,
  micros: number,
  options: ActivityOptions,
  out: ActivityRows,
): void {
  const company = random.chance(0.65) ? context.companies[0] : context.companies[1];
  if (!company) throw new Error("the context has no companies");
  // Now and then a quotation that is not (yet) confirmed.
  if (random.chance(0.08)) {
    const lines = Array.from({ length: random.int(1, 4) }, () => {
      const product = random.pick(context.products);
      const qty = random.int(1, 10);
      const subtotal = qty * product.listPriceCents;
      return {
        productId: product.id,
        name: product.name,
        qty,
        unit: product.listPriceCents,
        discount: 0,
        subtotal,
        lineTax: Math.round((subtotal * company.taxPercent) / 100),
      };
    });
    const quotation = buildSaleOrder(context, random, {
      company,
      partnerId: random.pick(context.customers),
      currencyId: company.currencyId,
      rate: 1_000_000,
      micros,
      lines,
      state: random.chance(0.5) ? "draft" : "sent",
    });
    out.sale_order.push(quotation.order);
    out.sale_order_line.push(...quotation.lines);
  }
  const kind = random.next();
  const moveType: InvoiceMoveType =
    kind < 0.55
      ? "out_invoice"
      : kind < 0.63
        ? "out_refund"
        : kind < 0.92
          ? "in_invoice"
          : "in_refund";
  const roll = random.next();
  const state = roll < 0.9 ? "posted" : roll < 0.97 ? "draft" : "cancel";
  const customerSide = moveType.startsWith("out");
  const recentKey = `${company.id}:${customerSide ? "out" : "in"}`;
  const recent = options.recent.get(recentKey) ?? [];
  options.recent.set(recentKey, recent);

  // Half the credit notes reverse a recent invoice of the same partner.
  const reversed =
    (moveType === "out_refund" || moveType === "in_refund") &&
    recent.length > 0 &&
    random.chance(0.5)
      ? random.pick(recent)
      : undefined;
  const invoice = buildInvoice(context, random, {
    company,
    moveType,
    state,
    micros,
    fromSaleOrder: moveType === "out_invoice" && random.chance(0.6),
    reversedEntryId: reversed?.moveId ?? null,
    partnerId: reversed?.partnerId,
  });
  if (invoice.saleOrder) {
    out.sale_order.push(invoice.saleOrder.order);
    out.sale_order_line.push(...invoice.saleOrder.lines);
  }
  out.account_move.push(invoice.move);
  out.account_move_line.push(...invoice.lines);
  if (state !== "posted" || (moveType !== "out_invoice" && moveType !== "in_invoice")) return;

  recent.push({ moveId: invoice.move.id as number, partnerId: invoice.partnerId });
  if (recent.length > 50) recent.shift();
  if (!random.chance(0.65)) return;
  const paidAt = micros + random.int(3, 60) * MICROS.day + random.int(0, 86_399) * MICROS.second;
  if (paidAt > options.endMicros) return;
  const partial = random.chance(0.12);
  const amount = partial
    ? Math.max(1, Math.round((invoice.totalCents * random.int(30, 80)) / 100))
    : invoice.totalCents;
  const payment = buildPayment(
    context,
    random,
    company,
    {
      moveId: invoice.move.id as number,
      name: invoice.move.name as string,
      moveType,
      partnerId: invoice.partnerId,
      currencyId: invoice.currencyId,
      totalCents: invoice.totalCents,
      totalCompanyCents: invoice.totalCompanyCents,
    },
    paidAt,
    amount,
  );
  applyReconciliation(
    invoice.move,
    invoice.termLine,
    payment.reconciliation,
    customerSide ? 1 : -1,
  );
  out.account_move.push(payment.move);
  out.account_move_line.push(...payment.lines);
}
