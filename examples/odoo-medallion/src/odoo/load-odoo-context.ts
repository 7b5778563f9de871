import { companyAccounts, ODOO_COMPANIES } from "./build-master-data.js";
import type { OdooContext, OdooRate } from "./odoo-context.js";
import type { OdooDatabase } from "./odoo-database.js";
import { MICROS } from "./odoo-format.js";
import { ODOO_TABLES, type OdooTable } from "./odoo-tables.js";

/**
 * Rebuilds the move builders' context from a seeded database: master data ids, rates,
 * and the id and sequence counters to continue from. Lets `mutateOdooDatabase` add
 * moves exactly as the generator does, without regenerating anything.
 *
 * @example
 * ```ts
 * const context = await loadOdooContext(db);
 * ```
 */
export async function loadOdooContext(db: OdooDatabase): Promise<OdooContext> {
  const accounts = await db.query<{ id: number; company_id: number; code: string }>(
    "SELECT id, company_id, code FROM account_account",
  );
  const journals = await db.query<{ id: number; company_id: number; code: string }>(
    "SELECT id, company_id, code FROM account_journal",
  );
  const find = (
    rows: { id: number; company_id: number; code: string }[],
    company: number,
    code: string,
  ) => rows.find((row) => row.company_id === company && row.code === code)?.id ?? 0;
  const companies = (
    await db.query<{ id: number; currency_id: number }>(
      "SELECT id, currency_id FROM res_company ORDER BY id",
    )
  ).map((company, index) => ({
    id: company.id,
    currencyId: company.currency_id,
    taxPercent: ODOO_COMPANIES[index]?.taxPercent ?? 0,
    accounts: companyAccounts((code) => find(accounts, company.id, code)),
    journals: {
      sale: find(journals, company.id, "INV"),
      purchase: find(journals, company.id, "BILL"),
      bank: find(journals, company.id, "BNK1"),
      misc: find(journals, company.id, "MISC"),
    },
  }));
  const partners = await db.query<{ id: number; customer_rank: number; supplier_rank: number }>(
    "SELECT id, customer_rank, supplier_rank FROM res_partner WHERE id NOT IN (SELECT partner_id FROM res_company) ORDER BY id",
  );
  const products = await db.query<{ id: number; name: string; list_price: string }>(
    `SELECT p.id, t.name->>'en_US' AS name, t.list_price::text AS list_price
       FROM product_product p JOIN product_template t ON t.id = p.product_tmpl_id ORDER BY p.id`,
  );
  const rates = new Map<string, OdooRate[]>();
  for (const row of await db.query<{
    company_id: number;
    currency_id: number;
    day: string;
    rate: string;
  }>(
    "SELECT company_id, currency_id, to_char(name, 'YYYY-MM-DD') AS day, rate::text AS rate FROM res_currency_rate ORDER BY name, id",
  )) {
    const key = `${row.company_id}:${row.currency_id}`;
    const series = rates.get(key) ?? [];
    series.push({
      fromMicros: Date.parse(`${row.day}T00:00:00Z`) * MICROS.ms,
      millionths: Math.round(Number(row.rate) * 1_000_000),
    });
    rates.set(key, series);
  }
  const maxIds = await db.query<Record<OdooTable, number | null>>(
    `SELECT ${ODOO_TABLES.map((table) => `(SELECT max(id) FROM ${table}) AS ${table}`).join(", ")}`,
  );
  const sequences = new Map<string, number>();
  for (const row of await db.query<{ company_id: number; sequence_prefix: string; last: number }>(
    `SELECT company_id, sequence_prefix, max(sequence_number) AS last
       FROM account_move WHERE sequence_prefix IS NOT NULL GROUP BY 1, 2`,
  )) {
    sequences.set(`${row.company_id}:${row.sequence_prefix}`, Number(row.last));
  }
  const [counters] = await db.query<{ sale_order: number | null; matching: number | null }>(
    `SELECT (SELECT max(substring(name from 2)::int) FROM sale_order) AS sale_order,
            (SELECT max(substring(matching_number from 2)::int) FROM account_move_line) AS matching`,
  );
  sequences.set("sale_order", Number(counters?.sale_order ?? 0));
  sequences.set("matching", Number(counters?.matching ?? 0));
  return {
    companies,
    currencyIds: (
      await db.query<{ id: number }>("SELECT id FROM res_currency WHERE active ORDER BY id")
    ).map((row) => row.id),
    customers: partners.filter((row) => row.customer_rank > 0).map((row) => row.id),
    vendors: partners.filter((row) => row.supplier_rank > 0).map((row) => row.id),
    products: products.map((row) => ({
      id: row.id,
      name: row.name,
      listPriceCents: Math.round(Number(row.list_price) * 100),
    })),
    rates,
    lastId: Object.fromEntries(
      ODOO_TABLES.map((table) => [table, Number(maxIds[0]?.[table] ?? 0)]),
    ) as Record<OdooTable, number>,
    sequences,
  };
}
