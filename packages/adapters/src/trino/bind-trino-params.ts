import type { SqlQueryOptions } from "@controlroom/executor-kit";
import { quoteLiteral } from "../internal/sql-quote.js";
import { toTrinoLiteral } from "./to-trino-literal.js";
import { TrinoError } from "./trino-error.js";

/**
 * The statement to send for `sql` with positional `?` parameters. Trino's client
 * protocol carries no parameter values, so they go in as literals of
 * `EXECUTE IMMEDIATE '<sql>' USING …` (Trino 418+): the server still parses the
 * statement and the values separately, so a value can never change the SQL around it.
 * Named parameters are refused: Trino has none.
 *
 * @example
 * ```ts
 * bindTrinoParams("SELECT * FROM t WHERE id = ?", [42]);
 * // "EXECUTE IMMEDIATE 'SELECT * FROM t WHERE id = ?' USING 42"
 * ```
 */
export function bindTrinoParams(sql: string, params: SqlQueryOptions["params"]): string {
  if (params === undefined) return sql;
  if (!Array.isArray(params)) {
    throw new TrinoError(
      "TRINO_INVALID_ARGUMENT",
      "Trino has positional parameters only: write ? in the SQL and pass params as an array",
    );
  }
  if (params.length === 0) return sql;
  const literals = params.map((value, index) => toTrinoLiteral(value, index + 1));
  return `EXECUTE IMMEDIATE ${quoteLiteral(sql)} USING ${literals.join(", ")}`;
}
