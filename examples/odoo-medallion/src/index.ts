export { DemoError, type DemoErrorCode, isDemoError } from "./demo/demo-error.js";
export type { DemoTableFormat } from "./demo/open-demo-lakehouse.js";
export {
  type DemoGoldTable,
  type OdooDemoOptions,
  type OdooDemoResult,
  runOdooDemo,
} from "./demo/run-odoo-demo.js";
export * from "./odoo/index.js";
export { createOdooFinanceExecutor, ODOO_FINANCE_SPEC } from "./odoo-finance-executor.js";
export { ODOO_CHECKS, ODOO_GOLD, ODOO_SILVER, ODOO_STREAMS } from "./pipeline/index.js";
