import type { Lakehouse, SessionViewRef } from "../ports/lakehouse.js";
import type { TableSnapshot } from "../ports/table-format.js";
import { currentViewSql } from "./current-view-sql.js";
import { BRONZE_AUDIT_COLUMNS, type MedallionLayout } from "./medallion-layout.js";

/** The bronze versions a phase reads, stream → version. */
export type BronzeVersions = Record<string, { location: string; version: number }>;

/**
 * The session views over pinned bronze versions: `bronze_<stream>` (every ingested
 * row) and `current_<stream>` (the newest row per key, source columns only).
 */
export async function bronzeViews(
  lake: Lakehouse,
  layout: MedallionLayout,
  versions: BronzeVersions,
  signal: AbortSignal,
): Promise<{ views: Record<string, SessionViewRef>; snapshots: Record<string, TableSnapshot> }> {
  const views: Record<string, SessionViewRef> = {};
  const derived: Record<string, SessionViewRef> = {};
  const snapshots: Record<string, TableSnapshot> = {};
  for (const stream of layout.streams) {
    const ref = versions[stream.name];
    if (!ref) continue;
    const snapshot = await lake.snapshot(ref, { signal });
    if (!snapshot) continue;
    snapshots[stream.name] = snapshot;
    const audit = new Set<string>(BRONZE_AUDIT_COLUMNS);
    const columns = snapshot.schema.fields.map((f) => f.name).filter((name) => !audit.has(name));
    views[`bronze_${stream.name}`] = ref;
    derived[`current_${stream.name}`] = {
      sql: currentViewSql(stream, `bronze_${stream.name}`, columns),
    };
  }
  // Table views first: the derived ones read them.
  return { views: { ...views, ...derived }, snapshots };
}
