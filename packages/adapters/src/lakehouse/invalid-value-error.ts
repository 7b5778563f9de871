import { isAdapterError } from "../internal/adapter-error.js";
import { LakehouseError } from "../internal/lakehouse-error.js";

/**
 * DuckDB's parse errors of staged rows name the staging file and line; this says which
 * table instead (LAKEHOUSE_INVALID_VALUE). Any other error is returned as it is.
 */
export function invalidValueError(error: unknown, location: string): unknown {
  if (
    isAdapterError(error) &&
    error.code === "DUCKDB_QUERY_FAILED" &&
    /JSON transform error|Conversion Error|Could not convert|out of range/i.test(error.message)
  ) {
    return new LakehouseError(
      "LAKEHOUSE_INVALID_VALUE",
      `cannot write rows to ${location}: a value does not fit its column: ${error.message}`,
      { location, cause: error },
    );
  }
  return error;
}
