import { readFile } from "node:fs/promises";
import type { OdooDatabase } from "./odoo-database.js";

/**
 * The DDL of the Odoo 17 shaped tables (`schema.sql`), as text.
 *
 * @example
 * ```ts
 * const ddl = await odooSchemaSql();
 * ```
 */
export async function odooSchemaSql(): Promise<string> {
  return readFile(new URL("./schema.sql", import.meta.url), "utf8");
}

/**
 * Creates the Odoo tables, their foreign keys and indexes in the current schema of `db`
 * (which must not have them yet).
 *
 * @example
 * ```ts
 * await loadOdooSchema(pgliteOdooDatabase(await PGlite.create()));
 * ```
 */
export async function loadOdooSchema(db: OdooDatabase): Promise<void> {
  await db.exec(await odooSchemaSql());
}
