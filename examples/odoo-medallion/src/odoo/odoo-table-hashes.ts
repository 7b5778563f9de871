import type { OdooDatabase } from "./odoo-database.js";
import { ODOO_TABLES, type OdooTable } from "./odoo-tables.js";

/**
 * An md5 per Odoo table over all its rows in id order (each row in Postgres' text form):
 * equal hashes mean equal data. Computed in the database, so it works at any size.
 *
 * @example
 * ```ts
 * const hashes = await odooTableHashes(db);
 * hashes.account_move_line; // "3f2a…"
 * ```
 */
export async function odooTableHashes(db: OdooDatabase): Promise<Record<OdooTable, string>> {
  const [row] = await db.query<Record<OdooTable, string | null>>(
    `SELECT ${ODOO_TABLES.map(
      (table) =>
        `(SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t.id), '')) FROM ${table} t) AS ${table}`,
    ).join(", ")}`,
  );
  return Object.fromEntries(ODOO_TABLES.map((table) => [table, row?.[table] ?? ""])) as Record<
    OdooTable,
    string
  >;
}
