import type { DerivedViewRef, SessionViewRef, SqlEngine } from "@controlroom/executor-kit";
import { LakehouseError } from "../internal/lakehouse-error.js";
import { quoteIdentifier } from "../internal/sql-quote.js";

/** Whether a session view is a query over other views rather than a pinned table version. */
export function isDerived(ref: SessionViewRef): ref is DerivedViewRef {
  return typeof (ref as Partial<DerivedViewRef>).sql === "string";
}

/** Creates a session's derived view; a query DuckDB refuses is LAKEHOUSE_INVALID_VIEW. */
export async function createDerivedView(
  engine: SqlEngine,
  name: string,
  ref: DerivedViewRef,
  signal: AbortSignal | undefined,
): Promise<void> {
  const sql = ref.sql.trim().replace(/;+\s*$/, "");
  try {
    await engine.execute(`CREATE VIEW ${quoteIdentifier(name)} AS ${sql}`, { signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new LakehouseError("LAKEHOUSE_INVALID_VIEW", `view "${name}": ${message}`, {
      cause: error,
    });
  }
}
