import { buildSaleOrder } from "./build-sale-order.js";
import {
  nextId,
  nextSequence,
  type OdooCompanyContext,
  type OdooContext,
  rateAt,
} from "./odoo-context.js";
import { formatCents, formatDate, formatTimestamp, MICROS } from "./odoo-format.js";
import type { OdooRow } from "./odoo-tables.js";
import type { Random } from "./random.js";

/** The invoice-like move types (customer and vendor invoices and credit notes). */
export type InvoiceMoveType = "out_invoice" | "out_refund" | "in_invoice" | "in_refund";

/** What to build: {@link buildInvoice}'s input. */
export interface InvoiceSpec {
  company: OdooCompanyContext;
  moveType: InvoiceMoveType;
  state: "draft" | "posted" | "cancel";
  /** When it was created and last written, in microseconds since the epoch. */
  micros: number;
  /** Also build the confirmed sale order this customer invoice came from. */
  fromSaleOrder?: boolean;
  /** The invoice a credit note reverses. */
  reversedEntryId?: number | null;
  /** The customer or vendor; a random one of the right kind when absent. */
  partnerId?: number | undefined;
}

/** A built invoice: its rows, and what a payment against it needs. */
export interface BuiltInvoice {
  move: OdooRow;
  lines: OdooRow[];
  /** The receivable or payable line (display_type `payment_term`). */
  termLine: OdooRow;
  saleOrder: { order: OdooRow; lines: OdooRow[] } | null;
  partnerId: number;
  currencyId: number;
  /** The amount due, in the invoice currency (cents, positive). */
  totalCents: number;
  /** The amount due, in company currency (cents, positive). */
  totalCompanyCents: number;
}

const PAYMENT_TERM_DAYS = [0, 15, 30, 30, 45];
const USERS = [2, 6, 7, 8];

/**
 * Builds one customer or vendor invoice or credit note: product lines on income or
 * expense accounts, one tax line, and the receivable or payable line that balances them.
 * Amounts are in the invoice currency (`amount_currency`) and, converted at the month's
 * rate, in company currency (`debit`, `credit`, `balance`); the last line takes the
 * difference, so every move balances to the cent in company currency.
 *
 * @example
 * ```ts
 * const invoice = buildInvoice(context, random, {
 *   company: context.companies[0]!, moveType: "out_invoice", state: "posted", micros,
 * });
 * ```
 */
export function buildInvoice(
  context: OdooContext,
  random: Random,
  spec: InvoiceSpec,
): BuiltInvoice {
  const { company, moveType, state, micros } = spec;
  const customerSide = moveType === "out_invoice" || moveType === "out_refund";
  const partnerId =
    spec.partnerId ?? random.pick(customerSide ? context.customers : context.vendors);
  // A quarter of the documents are in a foreign currency.
  const currencyId = random.chance(0.25)
    ? random.pick(context.currencyIds.filter((id) => id !== company.currencyId))
    : company.currencyId;
  const rate = rateAt(context, company, currencyId, micros);
  const toCompany = (cents: number) => Math.round((cents * 1_000_000) / rate);
  // Product and tax lines sit on the opposite side of the receivable/payable line.
  const sign = moveType === "out_invoice" || moveType === "in_refund" ? -1 : 1;
  const moveId = nextId(context, "account_move");
  const at = formatTimestamp(micros);
  const user = random.pick(USERS);
  const date = formatDate(micros);
  const due = formatDate(micros + random.pick(PAYMENT_TERM_DAYS) * MICROS.day);
  const { name, prefix, number } = documentName(context, company, moveType, state, micros);

  const common = {
    move_id: moveId,
    move_name: name,
    date,
    ref: null as string | null,
    parent_state: state,
    journal_id: customerSide ? company.journals.sale : company.journals.purchase,
    company_id: company.id,
    company_currency_id: company.currencyId,
    partner_id: partnerId,
    currency_id: currencyId,
    create_uid: user,
    create_date: at,
    write_uid: user,
    write_date: at,
  };
  const lines: OdooRow[] = [];
  const addLine = (row: OdooRow, docCents: number, companyCents: number) => {
    const balance = sign * companyCents;
    lines.push({
      id: nextId(context, "account_move_line"),
      ...common,
      sequence: 10 + lines.length,
      debit: formatCents(Math.max(balance, 0)),
      credit: formatCents(Math.max(-balance, 0)),
      balance: formatCents(balance),
      amount_currency: formatCents(sign * docCents),
      amount_residual: "0.00",
      amount_residual_currency: "0.00",
      reconciled: false,
      ...row,
    });
  };

  let untaxed = 0;
  let tax = 0;
  let untaxedCompany = 0;
  const productLines: {
    productId: number;
    name: string;
    qty: number;
    unit: number;
    discount: number;
    subtotal: number;
    lineTax: number;
  }[] = [];
  const count = random.int(1, 6);
  for (let index = 0; index < count; index += 1) {
    const product = random.pick(context.products);
    const qty = random.chance(0.7) ? random.int(1, 5) : random.int(6, 40);
    // Products are priced in company currency; vendors sell to us at about 60% of it.
    const listCents = customerSide
      ? product.listPriceCents
      : Math.round(product.listPriceCents * 0.6);
    const unit = Math.max(1, Math.round((listCents * rate) / 1_000_000));
    const discount = random.chance(0.1) ? random.pick([5, 10, 15]) : 0;
    const subtotal = Math.round((qty * unit * (100 - discount)) / 100);
    const lineTax = Math.round((subtotal * company.taxPercent) / 100);
    const subtotalCompany = toCompany(subtotal);
    untaxed += subtotal;
    tax += lineTax;
    untaxedCompany += subtotalCompany;
    productLines.push({
      productId: product.id,
      name: product.name,
      qty,
      unit,
      discount,
      subtotal,
      lineTax,
    });
    addLine(
      {
        account_id: random.pick(customerSide ? company.accounts.income : company.accounts.expense),
        product_id: product.id,
        name: product.name,
        display_type: "product",
        quantity: formatCents(qty * 100),
        price_unit: formatCents(unit),
        discount: formatCents(discount * 100),
        price_subtotal: formatCents(subtotal),
        price_total: formatCents(subtotal + lineTax),
        date_maturity: null,
        matching_number: null,
      },
      subtotal,
      subtotalCompany,
    );
  }
  const taxCompany = toCompany(tax);
  addLine(
    {
      account_id: customerSide ? company.accounts.taxPayable : company.accounts.taxReceivable,
      product_id: null,
      name: `Tax ${company.taxPercent}%`,
      display_type: "tax",
      quantity: null,
      price_unit: null,
      discount: "0.00",
      price_subtotal: null,
      price_total: null,
      date_maturity: null,
      matching_number: null,
    },
    tax,
    taxCompany,
  );
  const total = untaxed + tax;
  const totalCompany = untaxedCompany + taxCompany;
  const open = state === "posted";
  addLine(
    {
      account_id: customerSide ? company.accounts.receivable : company.accounts.payable,
      product_id: null,
      name: name === "/" ? "" : name,
      display_type: "payment_term",
      quantity: null,
      price_unit: null,
      discount: "0.00",
      price_subtotal: null,
      price_total: null,
      date_maturity: due,
      matching_number: null,
    },
    -total,
    -totalCompany,
  );
  const termLine = lines[lines.length - 1] as OdooRow;
  if (open) {
    termLine.amount_residual = termLine.balance ?? null;
    termLine.amount_residual_currency = termLine.amount_currency ?? null;
  }

  const saleOrder =
    spec.fromSaleOrder === true && moveType === "out_invoice"
      ? buildSaleOrder(context, random, {
          company,
          partnerId,
          currencyId,
          rate,
          micros,
          lines: productLines,
          state: "sale",
        })
      : null;
  const vendorRef = customerSide
    ? null
    : `${random.pick(["F", "INV-", "BILL"])}${random.int(10_000, 99_999)}`;
  const directionSign = -sign;
  const move: OdooRow = {
    id: moveId,
    name,
    ref: vendorRef,
    date,
    state,
    move_type: moveType,
    journal_id: common.journal_id,
    company_id: company.id,
    currency_id: currencyId,
    partner_id: partnerId,
    commercial_partner_id: partnerId,
    reversed_entry_id: spec.reversedEntryId ?? null,
    invoice_date: date,
    invoice_date_due: due,
    invoice_origin: saleOrder ? (saleOrder.order.name ?? null) : null,
    payment_reference: customerSide && name !== "/" ? name : vendorRef,
    payment_state: "not_paid",
    sequence_prefix: prefix,
    sequence_number: number,
    amount_untaxed: formatCents(untaxed),
    amount_tax: formatCents(tax),
    amount_total: formatCents(total),
    amount_residual: formatCents(open ? total : 0),
    amount_untaxed_signed: formatCents(directionSign * untaxedCompany),
    amount_tax_signed: formatCents(directionSign * taxCompany),
    amount_total_signed: formatCents(directionSign * totalCompany),
    amount_total_in_currency_signed: formatCents(directionSign * total),
    amount_residual_signed: formatCents(open ? directionSign * totalCompany : 0),
    create_uid: user,
    create_date: at,
    write_uid: user,
    write_date: at,
  };
  if (vendorRef !== null) for (const line of lines) line.ref = vendorRef;
  return {
    move,
    lines,
    termLine,
    saleOrder,
    partnerId,
    currencyId,
    totalCents: total,
    totalCompanyCents: totalCompany,
  };
}

function documentName(
  context: OdooContext,
  company: OdooCompanyContext,
  moveType: InvoiceMoveType,
  state: InvoiceSpec["state"],
  micros: number,
): { name: string; prefix: string | null; number: number | null } {
  // Odoo names drafts "/" and gives the number when the move is posted.
  if (state === "draft") return { name: "/", prefix: null, number: null };
  const code = { out_invoice: "INV", out_refund: "RINV", in_invoice: "BILL", in_refund: "RBILL" }[
    moveType
  ];
  const prefix = `${code}/${formatDate(micros).slice(0, 4)}/`;
  const number = nextSequence(context, `${company.id}:${prefix}`);
  return { name: `${prefix}${String(number).padStart(5, "0")}`, prefix, number };
}
