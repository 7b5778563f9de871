import type { AddAction } from "./delta-actions.js";

/**
 * A data file's statistics, from the `add` action's JSON `stats` or a checkpoint's
 * `stats_parsed` struct. Values are as the writer recorded them (timestamps as ISO
 * strings, decimals as numbers); columns may be missing from any map.
 */
export interface DeltaFileStats {
  numRecords?: number | undefined;
  minValues?: Record<string, unknown> | undefined;
  maxValues?: Record<string, unknown> | undefined;
  nullCount?: Record<string, unknown> | undefined;
  tightBounds?: boolean | undefined;
}

/**
 * Parses an `add` action's statistics; `undefined` when it has none or they are not
 * valid JSON (statistics are optional, so a bad one is ignored, not an error).
 *
 * @example
 * ```ts
 * parseFileStats({ stats: '{"numRecords":3}' } as AddAction)?.numRecords; // 3
 * ```
 */
export function parseFileStats(add: AddAction): DeltaFileStats | undefined {
  let raw: unknown = add.stats_parsed ?? undefined;
  if (typeof add.stats === "string" && add.stats !== "") {
    try {
      raw = JSON.parse(add.stats);
    } catch {
      // keep stats_parsed, if any
    }
  }
  if (typeof raw !== "object" || raw === null) return undefined;
  const stats = raw as Record<string, unknown>;
  const out: DeltaFileStats = {};
  const numRecords = Number(stats.numRecords);
  if (stats.numRecords != null && Number.isFinite(numRecords)) out.numRecords = numRecords;
  for (const field of ["minValues", "maxValues", "nullCount"] as const) {
    const value = stats[field];
    if (typeof value === "object" && value !== null) out[field] = value as Record<string, unknown>;
  }
  if (typeof stats.tightBounds === "boolean") out.tightBounds = stats.tightBounds;
  return out;
}
