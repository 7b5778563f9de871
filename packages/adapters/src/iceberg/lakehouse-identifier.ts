import { IcebergError } from "./iceberg-error.js";
import type { IcebergTableIdentifier } from "./iceberg-sql-catalog.js";

const NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * The default catalog name of a lakehouse location: the last segment is the table,
 * the segments before it joined with `_` the (one-level) namespace, `default` when
 * there are none — `bronze/odoo/account_move` → `bronze_odoo.account_move`,
 * `gold/finance/open_invoices` → `gold_finance.open_invoices`. One level and lowercase
 * letters, digits and `_` only, because Trino folds names to lowercase and its JDBC
 * catalog has no nested namespaces: the same tables are then `iceberg.bronze_odoo.
 * account_move` in Trino and `("bronze_odoo", "account_move")` in PyIceberg.
 *
 * @example
 * ```ts
 * defaultIdentifierOf("silver/odoo/invoice"); // { namespace: ["silver_odoo"], name: "invoice" }
 * ```
 */
export function defaultIdentifierOf(location: string): IcebergTableIdentifier {
  const segments = location.replace(/\/+$/, "").split("/");
  const name = segments.pop() ?? "";
  const namespace = segments.length === 0 ? "default" : segments.join("_");
  for (const part of [namespace, name]) {
    if (!NAME.test(part)) {
      throw new IcebergError(
        "ICEBERG_INVALID_ARGUMENT",
        `the location "${location}" does not map to a catalog name ("${part}" is not lowercase letters, digits and _): pass identifierOf`,
      );
    }
  }
  return { namespace: [namespace], name };
}
