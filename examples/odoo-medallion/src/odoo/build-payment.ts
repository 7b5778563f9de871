import {
  nextId,
  nextSequence,
  type OdooCompanyContext,
  type OdooContext,
  rateAt,
} from "./odoo-context.js";
import { formatCents, formatDate, formatTimestamp } from "./odoo-format.js";
import type { OdooRow } from "./odoo-tables.js";
import type { Random } from "./random.js";

/** The invoice a payment settles, as {@link buildPayment} needs it. */
export interface PaidInvoice {
  moveId: number;
  name: string;
  moveType: "out_invoice" | "in_invoice";
  partnerId: number;
  currencyId: number;
  /** Amount due in the invoice currency, in cents. */
  totalCents: number;
  /** Amount due in company currency, in cents. */
  totalCompanyCents: number;
}

/** What reconciling a payment changes on the invoice and its receivable/payable line. */
export interface Reconciliation {
  moveId: number;
  paymentState: "paid" | "partial";
  /** Still due, in the invoice currency (cents, positive). */
  residualCents: number;
  /** Still due, in company currency (cents, positive). */
  residualCompanyCents: number;
  matchingNumber: string;
  writeDate: string;
  writeUid: number;
}

/**
 * Builds the bank journal entry (move_type `entry`) of a payment against an invoice: the
 * bank line and the receivable or payable counterpart, balanced in company currency at
 * the payment date's rate. Returns what the reconciliation changes on the invoice; the
 * caller applies it ({@link applyReconciliation} in memory, an UPDATE in a database).
 * Exchange differences between invoice and payment rates are not booked.
 *
 * @example
 * ```ts
 * const { move, lines, reconciliation } = buildPayment(context, random, company, invoice, micros, invoice.totalCents);
 * ```
 */
export function buildPayment(
  context: OdooContext,
  random: Random,
  company: OdooCompanyContext,
  invoice: PaidInvoice,
  micros: number,
  amountCents: number,
): { move: OdooRow; lines: OdooRow[]; reconciliation: Reconciliation } {
  const rate = rateAt(context, company, invoice.currencyId, micros);
  const companyCents = Math.round((amountCents * 1_000_000) / rate);
  const inbound = invoice.moveType === "out_invoice";
  const moveId = nextId(context, "account_move");
  const date = formatDate(micros);
  const prefix = `PBNK1/${date.slice(0, 4)}/`;
  const number = nextSequence(context, `${company.id}:${prefix}`);
  const name = `${prefix}${String(number).padStart(5, "0")}`;
  const at = formatTimestamp(micros);
  const user = random.pick([2, 6, 7]);
  const full = amountCents >= invoice.totalCents;
  const matchingNumber = `${full ? "A" : "P"}${nextSequence(context, "matching")}`;
  const label = `${inbound ? "Customer" : "Vendor"} Payment ${formatCents(amountCents)} - ${invoice.name}`;
  const audit = { create_uid: user, create_date: at, write_uid: user, write_date: at };
  const line = (
    accountId: number,
    balance: number,
    amountCurrency: number,
    reconciled: boolean,
  ): OdooRow => ({
    id: nextId(context, "account_move_line"),
    move_id: moveId,
    move_name: name,
    date,
    ref: invoice.name,
    parent_state: "posted",
    journal_id: company.journals.bank,
    company_id: company.id,
    company_currency_id: company.currencyId,
    account_id: accountId,
    partner_id: invoice.partnerId,
    product_id: null,
    currency_id: invoice.currencyId,
    sequence: 10,
    name: label,
    display_type: "product",
    quantity: null,
    price_unit: null,
    discount: "0.00",
    debit: formatCents(Math.max(balance, 0)),
    credit: formatCents(Math.max(-balance, 0)),
    balance: formatCents(balance),
    amount_currency: formatCents(amountCurrency),
    price_subtotal: null,
    price_total: null,
    amount_residual: "0.00",
    amount_residual_currency: "0.00",
    reconciled,
    date_maturity: date,
    matching_number: reconciled ? matchingNumber : null,
    ...audit,
  });
  const direction = inbound ? 1 : -1;
  const lines = [
    line(company.accounts.bank, direction * companyCents, direction * amountCents, false),
    line(
      inbound ? company.accounts.receivable : company.accounts.payable,
      -direction * companyCents,
      -direction * amountCents,
      true,
    ),
  ];
  const move: OdooRow = {
    id: moveId,
    name,
    ref: invoice.name,
    date,
    state: "posted",
    move_type: "entry",
    journal_id: company.journals.bank,
    company_id: company.id,
    currency_id: invoice.currencyId,
    partner_id: invoice.partnerId,
    commercial_partner_id: invoice.partnerId,
    reversed_entry_id: null,
    invoice_date: null,
    invoice_date_due: null,
    invoice_origin: null,
    payment_reference: invoice.name,
    payment_state: "not_paid",
    sequence_prefix: prefix,
    sequence_number: number,
    amount_untaxed: "0.00",
    amount_tax: "0.00",
    amount_total: formatCents(amountCents),
    amount_residual: "0.00",
    amount_untaxed_signed: "0.00",
    amount_tax_signed: "0.00",
    amount_total_signed: formatCents(companyCents),
    amount_total_in_currency_signed: formatCents(amountCents),
    amount_residual_signed: "0.00",
    ...audit,
  };
  const residualCents = Math.max(0, invoice.totalCents - amountCents);
  return {
    move,
    lines,
    reconciliation: {
      moveId: invoice.moveId,
      paymentState: full ? "paid" : "partial",
      residualCents,
      residualCompanyCents: Math.round(
        (invoice.totalCompanyCents * residualCents) / invoice.totalCents,
      ),
      matchingNumber,
      writeDate: at,
      writeUid: user,
    },
  };
}

/**
 * Applies a reconciliation to an invoice still in memory (its move row and its
 * receivable/payable line): payment state, residuals, matching number, write stamp.
 *
 * @example
 * ```ts
 * applyReconciliation(invoice.move, invoice.termLine, payment.reconciliation, -1);
 * ```
 */
export function applyReconciliation(
  move: OdooRow,
  termLine: OdooRow,
  reconciliation: Reconciliation,
  /** +1 for customer invoices (residuals are debits), -1 for vendor bills. */
  direction: 1 | -1,
): void {
  const stamp = { write_date: reconciliation.writeDate, write_uid: reconciliation.writeUid };
  Object.assign(move, {
    payment_state: reconciliation.paymentState,
    amount_residual: formatCents(reconciliation.residualCents),
    amount_residual_signed: formatCents(direction * reconciliation.residualCompanyCents),
    ...stamp,
  });
  Object.assign(termLine, {
    amount_residual: formatCents(direction * reconciliation.residualCompanyCents),
    amount_residual_currency: formatCents(direction * reconciliation.residualCents),
    reconciled: reconciliation.paymentState === "paid",
    matching_number: reconciliation.matchingNumber,
    ...stamp,
  });
}
