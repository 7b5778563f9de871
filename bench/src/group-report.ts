import type { BenchOptions } from "./bench-options.js";
import type { BenchPostgres } from "./bench-postgres.js";

/** A target from issue #8 and whether this run met it. */
export interface TargetResult {
  target: string;
  /** undefined: not measured in this run (pending wiring, or the group was skipped). */
  met: boolean | undefined;
  detail: string;
}

/** What a benchmark group hands the report. */
export interface GroupReport {
  id: string;
  title: string;
  /** How it was measured: one line each. */
  setup: string[];
  /** A table: the first row is the header. */
  table: string[][];
  targets: TargetResult[];
  notes: string[];
  /** Every repetition's figures, for the JSON output. */
  raw: unknown;
}

/** What every group gets. */
export interface GroupContext {
  options: BenchOptions;
  postgres: BenchPostgres;
  /** Progress on stderr (stdout is the report). */
  log(message: string): void;
}

/** One side of a comparison: a name and how to measure it once. */
export interface Contender<T> {
  name: string;
  measure(rep: number): Promise<T>;
}

/**
 * Measures every contender `reps` times, alternating (A B C, B C A, C A B, …) so that
 * drift on the machine — other load, a warming disk cache — falls on all of them alike.
 */
export async function alternate<T>(
  reps: number,
  contenders: readonly Contender<T>[],
  log: (message: string) => void,
  describe: (result: T) => string,
): Promise<Map<string, T[]>> {
  const results = new Map<string, T[]>(contenders.map((c) => [c.name, []]));
  for (let rep = 0; rep < reps; rep++) {
    for (let i = 0; i < contenders.length; i++) {
      const contender = contenders[(rep + i) % contenders.length] as Contender<T>;
      const result = await contender.measure(rep);
      (results.get(contender.name) as T[]).push(result);
      log(`  rep ${rep + 1}/${reps} ${contender.name}: ${describe(result)}`);
    }
  }
  return results;
}
