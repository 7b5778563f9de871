import type { OdooTable } from "./odoo-tables.js";

/** What the move builders need to know about one company. */
export interface OdooCompanyContext {
  id: number;
  /** The company currency (amounts in `debit`, `credit`, `balance`). */
  currencyId: number;
  /** The one sales/purchase tax rate the generator applies, in percent. */
  taxPercent: number;
  accounts: {
    receivable: number;
    payable: number;
    taxPayable: number;
    taxReceivable: number;
    bank: number;
    income: number[];
    expense: number[];
  };
  journals: { sale: number; purchase: number; bank: number; misc: number };
}

/** A product variant and its list price, for invoice and order lines. */
export interface OdooProduct {
  id: number;
  name: string;
  listPriceCents: number;
}

/** One currency rate row: valid from `fromMicros` until the next one. */
export interface OdooRate {
  fromMicros: number;
  /** Units of the currency per unit of company currency, in millionths (Odoo's `rate`). */
  millionths: number;
}

/**
 * Everything the move builders read: master data ids and the counters they advance.
 * The generator builds it while creating master data; `mutateOdooDatabase` rebuilds it
 * from the database, so both produce moves the same way.
 */
export interface OdooContext {
  companies: OdooCompanyContext[];
  /** Active currency ids, company currencies included. */
  currencyIds: number[];
  customers: number[];
  vendors: number[];
  products: OdooProduct[];
  /** Rates per `${companyId}:${currencyId}`, ascending by `fromMicros`. */
  rates: Map<string, OdooRate[]>;
  /** The last id used per table; builders take the next one. */
  lastId: Record<OdooTable, number>;
  /** The last number used per `sequence_prefix` (e.g. `INV/2024/`). */
  sequences: Map<string, number>;
}

/**
 * The next id of `table`, advancing the context's counter.
 *
 * @example
 * ```ts
 * const id = nextId(context, "account_move");
 * ```
 */
export function nextId(context: OdooContext, table: OdooTable): number {
  context.lastId[table] += 1;
  return context.lastId[table];
}

/**
 * The next number in the sequence `prefix` (Odoo's `sequence_prefix` + `sequence_number`).
 *
 * @example
 * ```ts
 * const number = nextSequence(context, "INV/2024/"); // 1, then 2…
 * ```
 */
export function nextSequence(context: OdooContext, prefix: string): number {
  const number = (context.sequences.get(prefix) ?? 0) + 1;
  context.sequences.set(prefix, number);
  return number;
}

/**
 * The rate of `currencyId` in `company` at `micros`, in millionths: 1_000_000 for the
 * company currency, else the latest rate row on or before that time (the first one when
 * the time is earlier than every row).
 *
 * @example
 * ```ts
 * const millionths = rateAt(context, company, usdId, moveMicros);
 * const companyCents = Math.round((docCents * 1_000_000) / millionths);
 * ```
 */
export function rateAt(
  context: OdooContext,
  company: OdooCompanyContext,
  currencyId: number,
  micros: number,
): number {
  if (currencyId === company.currencyId) return 1_000_000;
  const rates = context.rates.get(`${company.id}:${currencyId}`);
  if (!rates || rates.length === 0) {
    throw new Error(`no rate for currency ${currencyId} in company ${company.id}`);
  }
  let low = 0;
  let high = rates.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((rates[mid]?.fromMicros ?? 0) <= micros) low = mid;
    else high = mid - 1;
  }
  return rates[low]?.millionths ?? 1_000_000;
}
