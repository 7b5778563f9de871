/** The part of a phase the graph layout needs. */
export interface GraphPhase {
  name: string;
  depends_on: readonly string[];
}

/**
 * Columns for drawing a run's phase graph left to right: each phase goes one column to
 * the right of the furthest phase it depends on, so every edge points right and
 * phases that may run at the same time share a column. Order within a column follows
 * the run's phase order. Unknown dependencies are ignored and cycles (which the
 * contract rejects) cannot loop.
 *
 * @example
 * ```ts
 * phaseColumns([{ name: "a", depends_on: [] }, { name: "b", depends_on: ["a"] },
 *   { name: "c", depends_on: ["a"] }]); // [["a"], ["b", "c"]]
 * ```
 */
export function phaseColumns(phases: readonly GraphPhase[]): string[][] {
  const byName = new Map(phases.map((phase) => [phase.name, phase]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (name: string): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) return 0;
    visiting.add(name);
    const phase = byName.get(name);
    let value = 0;
    for (const upstream of phase?.depends_on ?? []) {
      if (byName.has(upstream)) value = Math.max(value, depthOf(upstream) + 1);
    }
    visiting.delete(name);
    depth.set(name, value);
    return value;
  };
  const columns: string[][] = [];
  for (const phase of phases) {
    const column = depthOf(phase.name);
    while (columns.length <= column) columns.push([]);
    columns[column]?.push(phase.name);
  }
  return columns.filter((names) => names.length > 0);
}
