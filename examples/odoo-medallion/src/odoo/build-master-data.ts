import type { OdooCompanyContext, OdooContext, OdooRate } from "./odoo-context.js";
import {
  formatCents,
  formatDate,
  formatMillionths,
  formatTimestamp,
  MICROS,
} from "./odoo-format.js";
import { ODOO_TABLES, type OdooRow, type OdooTable } from "./odoo-tables.js";
import type { Random } from "./random.js";

/** The generic chart of accounts codes the move builders use, per company. */
export const ACCOUNT_CODES = {
  receivable: "121000",
  payable: "211000",
  taxPayable: "251000",
  taxReceivable: "131000",
  bank: "101401",
  income: ["400000", "410000"],
  expense: ["600000", "610000", "620000"],
} as const;

/** Options of {@link buildMasterData}. */
export interface MasterDataOptions {
  /** Customers and vendors to create. */
  partners: number;
  /** Products (one template, one variant each). */
  products: number;
  /** The first moment of the generated history, in microseconds since the epoch. */
  startMicros: number;
  /** The last moment of the generated history. */
  endMicros: number;
}

// [code, name, symbol, full name, units per EUR at the start]
const CURRENCIES = [
  ["EUR", "€", "Euro", 1],
  ["USD", "$", "US Dollar", 1.08],
  ["GBP", "£", "Pound Sterling", 0.86],
  ["CHF", "CHF", "Swiss Franc", 0.95],
  ["SEK", "kr", "Swedish Krona", 11.4],
] as const;

// [code, name, account_type, internal_group]: a small generic chart of accounts.
const CHART = [
  ["101401", "Bank", "asset_cash", "asset"],
  ["101402", "Bank Suspense Account", "asset_current", "asset"],
  ["121000", "Account Receivable", "asset_receivable", "asset"],
  ["131000", "Tax Paid", "asset_current", "asset"],
  ["211000", "Account Payable", "liability_payable", "liability"],
  ["251000", "Tax Received", "liability_current", "liability"],
  ["400000", "Product Sales", "income", "income"],
  ["410000", "Service Sales", "income", "income"],
  ["600000", "Expenses", "expense", "expense"],
  ["610000", "Rent", "expense", "expense"],
  ["620000", "Purchase of Services", "expense", "expense"],
  ["999999", "Undistributed Profits/Losses", "equity_unaffected", "equity"],
] as const;

/**
 * The companies the generator creates, in id order, with the one tax rate each applies.
 *
 * @example
 * ```ts
 * ODOO_COMPANIES[0].taxPercent; // 21
 * ```
 */
export const ODOO_COMPANIES = [
  { name: "Control Room Europe BV", currency: "EUR", taxPercent: 21, city: "Amsterdam" },
  { name: "Control Room Americas Inc", currency: "USD", taxPercent: 8, city: "Boston" },
] as const;

const NAME_A = [
  "Blue",
  "North",
  "Silver",
  "Green",
  "Bright",
  "Iron",
  "Red",
  "Oak",
  "Swift",
  "Clear",
];
const NAME_B = [
  "Harbor",
  "Peak",
  "River",
  "Field",
  "Stone",
  "Bridge",
  "Valley",
  "Forge",
  "Line",
  "Gate",
];
const NAME_C = ["Trading", "Logistics", "Foods", "Systems", "Retail", "Labs", "Supplies", "Media"];
const SUFFIX = ["Ltd", "GmbH", "BV", "Inc", "SA", "AB", "LLC", "SRL"];
const CITIES = ["Brussels", "Lyon", "Utrecht", "Hamburg", "Leeds", "Zurich", "Malmo", "Austin"];
const PRODUCTS = ["Desk", "Chair", "Lamp", "Cable", "Monitor", "Shelf", "Router", "Headset"];
const SERVICES = ["Consulting", "Installation", "Support", "Training", "Audit", "Design"];

/**
 * Builds the master data (currencies and rates, companies, partners, accounts, journals,
 * products) as rows in load order, and the context the move builders work from. Small
 * compared to the moves, so it is built in one piece.
 *
 * @example
 * ```ts
 * const { rows, context } = buildMasterData(createRandom(1), {
 *   partners: 50, products: 20, startMicros, endMicros,
 * });
 * ```
 */
export function buildMasterData(
  random: Random,
  options: MasterDataOptions,
): { rows: Map<OdooTable, OdooRow[]>; context: OdooContext } {
  const rows = new Map<OdooTable, OdooRow[]>(ODOO_TABLES.map((table) => [table, []]));
  const push = (table: OdooTable, row: OdooRow) => rows.get(table)?.push(row);
  // Master data was set up during the month before the history starts, one second apart.
  let clock = options.startMicros - 30 * MICROS.day;
  const audit = () => {
    clock += MICROS.second;
    const at = formatTimestamp(clock);
    return { create_uid: 1, create_date: at, write_uid: 1, write_date: at };
  };
  const context: OdooContext = {
    companies: [],
    currencyIds: [],
    customers: [],
    vendors: [],
    products: [],
    rates: new Map(),
    lastId: Object.fromEntries(ODOO_TABLES.map((table) => [table, 0])) as Record<OdooTable, number>,
    sequences: new Map(),
  };
  const idOf = (table: OdooTable) => ++context.lastId[table];

  const currencyIds = new Map<string, number>();
  for (const [code, symbol, fullName] of CURRENCIES) {
    const id = idOf("res_currency");
    currencyIds.set(code, id);
    context.currencyIds.push(id);
    push("res_currency", {
      id,
      name: code,
      full_name: fullName,
      symbol,
      rounding: "0.010000",
      decimal_places: 2,
      active: true,
      position: code === "EUR" || code === "SEK" ? "after" : "before",
      currency_unit_label: { en_US: fullName.split(" ").at(-1) ?? fullName },
      currency_subunit_label: { en_US: code === "GBP" ? "Pence" : "Cents" },
      ...audit(),
    });
  }

  for (const [index, company] of ODOO_COMPANIES.entries()) {
    const partnerId = idOf("res_partner");
    push("res_partner", {
      ...partnerRow(partnerId, company.name, company.city, random),
      customer_rank: 0,
      supplier_rank: 0,
      ...audit(),
    });
    const id = idOf("res_company");
    const currencyId = currencyIds.get(company.currency) ?? 1;
    push("res_company", {
      id,
      name: company.name,
      partner_id: partnerId,
      currency_id: currencyId,
      parent_id: null,
      sequence: 10 + index,
      email: `info@${slug(company.name)}.example`,
      phone: phone(random),
      company_registry: String(random.int(10_000_000, 99_999_999)),
      active: true,
      fiscalyear_last_day: 31,
      fiscalyear_last_month: "12",
      ...audit(),
    });
    context.companies.push(
      buildCompanyAccounts(id, currencyId, company.taxPercent, push, idOf, audit),
    );
  }

  // One rate per company, foreign currency and month, on a bounded random walk.
  for (const company of context.companies) {
    const base =
      CURRENCIES.find(([code]) => currencyIds.get(code) === company.currencyId)?.[3] ?? 1;
    for (const [code, , , perEur] of CURRENCIES) {
      const currencyId = currencyIds.get(code) ?? 0;
      if (currencyId === company.currencyId) continue;
      const series: OdooRate[] = [];
      let drift = 1;
      for (let month = monthStart(options.startMicros); month <= options.endMicros; ) {
        drift = Math.min(1.15, Math.max(0.85, drift * (1 + (random.next() - 0.5) * 0.03)));
        const millionths = Math.round((perEur / base) * drift * 1_000_000);
        series.push({ fromMicros: month, millionths });
        const at = formatTimestamp(month + 5 * 60 * MICROS.second);
        push("res_currency_rate", {
          id: idOf("res_currency_rate"),
          name: formatDate(month),
          rate: formatMillionths(millionths),
          currency_id: currencyId,
          company_id: company.id,
          create_uid: 1,
          create_date: at,
          write_uid: 1,
          write_date: at,
        });
        month = nextMonth(month);
      }
      context.rates.set(`${company.id}:${currencyId}`, series);
    }
  }

  for (let index = 0; index < options.partners; index += 1) {
    const id = idOf("res_partner");
    const name = `${random.pick(NAME_A)} ${random.pick(NAME_B)} ${random.pick(NAME_C)} ${random.pick(SUFFIX)}`;
    // About one partner in four is a vendor, a few are both.
    const vendor = index % 4 === 3 || random.chance(0.05);
    const customer = index % 4 !== 3 || random.chance(0.05);
    if (customer) context.customers.push(id);
    if (vendor) context.vendors.push(id);
    push("res_partner", {
      ...partnerRow(id, `${name} ${id}`, random.pick(CITIES), random),
      customer_rank: customer ? random.int(1, 40) : 0,
      supplier_rank: vendor ? random.int(1, 40) : 0,
      ...audit(),
    });
  }

  for (let index = 0; index < options.products; index += 1) {
    const service = index % 3 === 2;
    const name = service
      ? `${random.pick(SERVICES)} ${random.pick(["Basic", "Plus", "Premium"])} ${index + 1}`
      : `${random.pick(PRODUCTS)} ${random.pick(["S", "M", "L", "XL"])} ${index + 1}`;
    const listPriceCents = random.int(5, 2_000) * 100 + random.pick([0, 50, 95, 99]);
    const templateId = idOf("product_template");
    const type = service ? "service" : "consu";
    push("product_template", {
      id: templateId,
      name: { en_US: name },
      description: null,
      description_sale: { en_US: `${name}, sold by the unit` },
      sequence: 1,
      detailed_type: type,
      type,
      list_price: formatCents(listPriceCents),
      sale_ok: true,
      purchase_ok: !service,
      active: true,
      company_id: null,
      ...audit(),
    });
    const id = idOf("product_product");
    push("product_product", {
      id,
      product_tmpl_id: templateId,
      default_code: `${service ? "SRV" : "PRD"}-${String(index + 1).padStart(5, "0")}`,
      barcode: service
        ? null
        : String(random.int(100_000, 999_999)) + String(index).padStart(7, "0"),
      combination_indices: "",
      active: true,
      volume: service ? null : formatCents(random.int(1, 500)),
      weight: service ? null : formatCents(random.int(10, 5_000)),
      ...audit(),
    });
    context.products.push({ id, name, listPriceCents });
  }
  return { rows, context };
}

function buildCompanyAccounts(
  companyId: number,
  currencyId: number,
  taxPercent: number,
  push: (table: OdooTable, row: OdooRow) => void,
  idOf: (table: OdooTable) => number,
  audit: () => OdooRow,
): OdooCompanyContext {
  const byCode = new Map<string, number>();
  for (const [code, name, accountType, group] of CHART) {
    const id = idOf("account_account");
    byCode.set(code, id);
    push("account_account", {
      id,
      name: { en_US: name },
      code,
      account_type: accountType,
      internal_group: group,
      reconcile: accountType === "asset_receivable" || accountType === "liability_payable",
      deprecated: false,
      non_trade: false,
      include_initial_balance:
        group !== "income" && group !== "expense" && accountType !== "equity_unaffected",
      currency_id: null,
      company_id: companyId,
      note: null,
      ...audit(),
    });
  }
  const account = (code: string) => byCode.get(code) ?? 0;
  const journal = (code: string, name: string, type: string, defaultAccount: number) => {
    const id = idOf("account_journal");
    push("account_journal", {
      id,
      name: { en_US: name },
      code,
      active: true,
      type,
      default_account_id: defaultAccount,
      suspense_account_id: type === "bank" ? account("101402") : null,
      sequence: 10,
      currency_id: null,
      company_id: companyId,
      ...audit(),
    });
    return id;
  };
  return {
    id: companyId,
    currencyId,
    taxPercent,
    accounts: companyAccounts(account),
    journals: {
      sale: journal("INV", "Customer Invoices", "sale", account("400000")),
      purchase: journal("BILL", "Vendor Bills", "purchase", account("600000")),
      bank: journal("BNK1", "Bank", "bank", account("101401")),
      misc: journal("MISC", "Miscellaneous Operations", "general", account("999999")),
    },
  };
}

function partnerRow(id: number, name: string, city: string, random: Random): OdooRow {
  return {
    id,
    name,
    complete_name: name,
    company_id: null,
    parent_id: null,
    commercial_partner_id: id,
    ref: null,
    lang: "en_US",
    tz: "Europe/Brussels",
    vat: `BE0${random.int(100_000_000, 999_999_999)}`,
    company_registry: null,
    website: `https://${slug(name)}.example`,
    comment: null,
    type: "contact",
    street: `${random.int(1, 250)} ${random.pick(NAME_B)} Street`,
    street2: null,
    zip: String(random.int(1000, 9999)),
    city,
    email: `billing@${slug(name)}.example`,
    phone: phone(random),
    mobile: null,
    is_company: true,
    active: true,
  };
}

function phone(random: Random): string {
  return `+32 ${random.int(400, 499)} ${random.int(10, 99)} ${random.int(10, 99)} ${random.int(10, 99)}`;
}

function slug(name: string): string {
  return name
    .toLowerCase()
    .replaceAll(/[^a-z0-9]+/g, "-")
    .replaceAll(/^-|-$/g, "");
}

function monthStart(micros: number): number {
  const date = new Date(Math.floor(micros / MICROS.ms));
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) * MICROS.ms;
}

function nextMonth(micros: number): number {
  const date = new Date(Math.floor(micros / MICROS.ms));
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) * MICROS.ms;
}

/**
 * The accounts a company's moves use, looked up by their codes in {@link ACCOUNT_CODES}.
 *
 * @example
 * ```ts
 * const accounts = companyAccounts((code) => idsByCode.get(code) ?? 0);
 * ```
 */
export function companyAccounts(account: (code: string) => number): OdooCompanyContext["accounts"] {
  return {
    receivable: account(ACCOUNT_CODES.receivable),
    payable: account(ACCOUNT_CODES.payable),
    taxPayable: account(ACCOUNT_CODES.taxPayable),
    taxReceivable: account(ACCOUNT_CODES.taxReceivable),
    bank: account(ACCOUNT_CODES.bank),
    income: ACCOUNT_CODES.income.map(account),
    expense: ACCOUNT_CODES.expense.map(account),
  };
}
