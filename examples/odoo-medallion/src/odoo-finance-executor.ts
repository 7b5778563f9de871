import {
  defineMedallionExecutor,
  type MedallionExecutor,
} from "@controlroom/executor-kit/medallion";
import { ODOO_CHECKS, ODOO_GOLD, ODOO_SILVER, ODOO_STREAMS } from "./pipeline/index.js";

/** The spec slug of the Odoo finance pipeline's runs. */
export const ODOO_FINANCE_SPEC = "odoo-finance";

/**
 * The Odoo finance pipeline as one executor: Odoo's accounting and sales tables into
 * bronze, validated (keys, balanced posted moves, references), typed and de-duplicated
 * into silver, and the finance marts in gold (general-ledger balances, receivable
 * ageing, revenue, open invoices), published with their query, result manifest and
 * preview.
 *
 * @example
 * ```ts
 * const executor = createOdooFinanceExecutor();
 * await runWorker(executor, { client, adapters: { lakehouse, source }, artifactStore: store });
 * ```
 */
export function createOdooFinanceExecutor(
  options: { locations?: { bronze?: string; silver?: string; gold?: string } } = {},
): MedallionExecutor {
  return defineMedallionExecutor({
    id: ODOO_FINANCE_SPEC,
    version: "1.0.0",
    locations: {
      bronze: "bronze/odoo",
      silver: "silver/odoo",
      gold: "gold/finance",
      ...options.locations,
    },
    streams: ODOO_STREAMS,
    checks: ODOO_CHECKS,
    silver: ODOO_SILVER,
    gold: ODOO_GOLD,
  });
}
