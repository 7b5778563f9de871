import type { Run } from "@controlroom/contract";

/** A table a run wrote, as its output manifest records it. */
export interface RunTable {
  /** The manifest name, e.g. `gold.ar_ageing`. */
  name: string;
  /** `bronze`, `silver`, `gold`… (the part before the dot). */
  layer: string;
  phase: string;
  location: string;
  version: number;
  rows: number | undefined;
  sha256: string | undefined;
}

/**
 * Every table a run's output manifest records (`kind: "table"`), each name once (the
 * first phase that names it: publish repeats gold's), sorted by layer in pipeline order
 * and then by name. Empty while the run has no manifest (it has not ended).
 *
 * @example
 * ```ts
 * runTables(run).filter((t) => t.layer === "gold").map((t) => t.name);
 * ```
 */
export function runTables(run: Run): RunTable[] {
  const phases = (run.output_manifest?.phases ?? {}) as Record<string, unknown>;
  const tables = new Map<string, RunTable>();
  for (const phase of run.phases) {
    const entries = phases[phase.name];
    if (entries === null || typeof entries !== "object") continue;
    for (const [name, value] of Object.entries(entries as Record<string, unknown>)) {
      const entry = value as Record<string, unknown> | null;
      if (entry?.kind !== "table" || tables.has(name)) continue;
      if (typeof entry.location !== "string" || typeof entry.version !== "number") continue;
      tables.set(name, {
        name,
        layer: name.includes(".") ? (name.split(".")[0] as string) : "",
        phase: phase.name,
        location: entry.location,
        version: entry.version,
        rows: typeof entry.rows === "number" ? entry.rows : undefined,
        sha256: typeof entry.sha256 === "string" ? entry.sha256 : undefined,
      });
    }
  }
  const order = ["bronze", "silver", "gold"];
  const rank = (layer: string) => {
    const index = order.indexOf(layer);
    return index === -1 ? order.length : index;
  };
  return [...tables.values()].sort(
    (a, b) => rank(a.layer) - rank(b.layer) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}
