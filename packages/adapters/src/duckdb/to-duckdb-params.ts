import type { SqlValue } from "@controlroom/executor-kit";
import {
  BIGINT,
  blobValue,
  type DuckDBType,
  type DuckDBValue,
  TIMESTAMPTZ,
  timestampTZValue,
} from "@duckdb/node-api";
import { DuckDbError } from "./duckdb-error.js";

/** Bound values and their DuckDB types, as `@duckdb/node-api` takes them. */
export interface DuckDbParams {
  values: DuckDBValue[] | Record<string, DuckDBValue>;
  /** `undefined` entries let DuckDB infer the type from the value. */
  types: DuckDBType[] | Record<string, DuckDBType | undefined>;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Converts the port's parameters (an array for `$1`/`?`, an object for `$name`) to
 * DuckDB values: `Date` → TIMESTAMPTZ (an instant), `Uint8Array` → BLOB, a bigint that
 * fits → BIGINT (DuckDB would guess HUGEINT, which defeats filter pushdown on BIGINT
 * columns). Other values keep DuckDB's own inference.
 *
 * @example
 * ```ts
 * const { values, types } = toDuckDbParams([1n, new Date(0)]);
 * await connection.run("SELECT $1, $2", values, types);
 * ```
 */
export function toDuckDbParams(
  params: readonly SqlValue[] | Readonly<Record<string, SqlValue>>,
): DuckDbParams {
  if (Array.isArray(params)) {
    const list = params as readonly SqlValue[];
    return {
      values: list.map((value, index) => toValue(value, String(index + 1))),
      // node-api's own signature says DuckDBType[], but its bind() treats a missing
      // entry as "infer", which is what an undefined entry means here.
      types: list.map(typeOf) as DuckDBType[],
    };
  }
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType | undefined> = {};
  for (const [name, value] of Object.entries(params)) {
    values[name] = toValue(value, name);
    types[name] = typeOf(value);
  }
  return { values, types };
}

function toValue(value: SqlValue, name: string): DuckDBValue {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) {
      throw new DuckDbError("DUCKDB_INVALID_ARGUMENT", `parameter ${name} is an invalid Date`);
    }
    return timestampTZValue(BigInt(ms) * 1000n);
  }
  if (value instanceof Uint8Array) return blobValue(value);
  if (value === undefined) {
    throw new DuckDbError("DUCKDB_INVALID_ARGUMENT", `parameter ${name} is undefined; use null`);
  }
  return value;
}

function typeOf(value: SqlValue): DuckDBType | undefined {
  if (value instanceof Date) return TIMESTAMPTZ;
  if (typeof value === "bigint" && value >= INT64_MIN && value <= INT64_MAX) return BIGINT;
  return undefined;
}
