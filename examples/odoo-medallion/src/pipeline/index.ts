export { keyChecks, ODOO_CHECKS } from "./odoo-checks.js";
export { ODOO_GOLD, type OdooGoldOptions, odooGoldModels } from "./odoo-gold.js";
export { ODOO_SILVER, odooSilverModels } from "./odoo-silver.js";
export {
  type OdooModelOptions,
  type OdooSqlDialect,
  SQL_TYPES,
  translatedText,
} from "./odoo-sql.js";
export { ODOO_STREAMS } from "./odoo-streams.js";
