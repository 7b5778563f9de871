import type { Run } from "@controlroom/contract";

/** A table version a run recorded in its output manifest. */
export interface RunTableRef {
  /** The manifest name, e.g. `gold.ar_ageing`. */
  name: string;
  /** The phase whose manifest names it first. */
  phase: string;
  /** The table's root, relative to the lake, e.g. `gold/finance/ar_ageing`. */
  location: string;
  /** The version the run wrote. */
  version: number;
}

// Relative, no empty, `.` or `..` segment: a manifest cannot point a read outside the
// lake, whatever an executor wrote into it.
const SAFE_LOCATION = /^(?!.*(?:^|\/)\.{1,2}(?:\/|$))[A-Za-z0-9_.=-]+(?:\/[A-Za-z0-9_.=-]+)*$/;

/**
 * The table `name` as the run's output manifest records it (`kind: "table"`, with a
 * location and a version), or `undefined` when the run wrote no such table or its
 * location is not a plain relative path. A run that has not ended has no manifest yet.
 *
 * @example
 * ```ts
 * findRunTable(run, "gold.ar_ageing"); // { name, phase: "gold", location: "gold/finance/ar_ageing", version: 3 }
 * ```
 */
export function findRunTable(run: Run, name: string): RunTableRef | undefined {
  const phases = (run.output_manifest?.phases ?? {}) as Record<string, unknown>;
  for (const phase of run.phases) {
    const entries = phases[phase.name];
    if (entries === null || typeof entries !== "object") continue;
    const entry = (entries as Record<string, unknown>)[name] as Record<string, unknown> | undefined;
    if (entry?.kind !== "table") continue;
    const { location, version } = entry;
    if (typeof location !== "string" || !SAFE_LOCATION.test(location)) continue;
    if (typeof version !== "number" || !Number.isSafeInteger(version) || version < 0) continue;
    return { name, phase: phase.name, location, version };
  }
  return undefined;
}
