export { type ActivityRows, buildActivity } from "./build-activity.js";
export { ODOO_COMPANIES } from "./build-master-data.js";
export { toCopyText } from "./copy-text.js";
export {
  DEFAULT_HISTORY,
  type GenerateOdooDataOptions,
  generateOdooData,
  type OdooTableRows,
} from "./generate-odoo-data.js";
export { loadOdooSchema, odooSchemaSql } from "./load-odoo-schema.js";
export {
  type MutateOdooOptions,
  type MutateOdooResult,
  mutateOdooDatabase,
} from "./mutate-odoo-database.js";
export type { OdooContext } from "./odoo-context.js";
export { type OdooDatabase, pgliteOdooDatabase, postgresOdooDatabase } from "./odoo-database.js";
export { odooTableHashes } from "./odoo-table-hashes.js";
export {
  ODOO_TABLE_COLUMNS,
  ODOO_TABLES,
  type OdooRow,
  type OdooTable,
  type OdooValue,
} from "./odoo-tables.js";
export { createRandom, type Random } from "./random.js";
export {
  resetSequences,
  type SeedOdooDatabaseOptions,
  type SeedOdooDatabaseResult,
  seedOdooDatabase,
} from "./seed-odoo-database.js";
