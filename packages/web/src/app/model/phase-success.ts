import type { Run } from "@controlroom/contract";

/** How one phase name fared across runs. */
export interface PhaseSuccess {
  phase: string;
  succeeded: number;
  failed: number;
  /** Attempts beyond the first, summed over runs (retries and expired leases). */
  retries: number;
  /** succeeded / (succeeded + failed), or `undefined` when none ended either way. */
  rate: number | undefined;
}

/**
 * Success rate by phase name over `runs`: each phase that ended `succeeded` or
 * `failed` counts once per run (cancelled and skipped phases say nothing about the
 * phase itself), plus the retries it needed. Phases appear in first-seen order.
 *
 * @example
 * ```ts
 * phaseSuccess(runs).find((p) => p.phase === "validate")?.rate; // 0.95
 * ```
 */
export function phaseSuccess(runs: readonly Run[]): PhaseSuccess[] {
  const stats = new Map<string, PhaseSuccess>();
  for (const run of runs) {
    for (const phase of run.phases) {
      let entry = stats.get(phase.name);
      if (entry === undefined) {
        entry = { phase: phase.name, succeeded: 0, failed: 0, retries: 0, rate: undefined };
        stats.set(phase.name, entry);
      }
      if (phase.status === "succeeded") entry.succeeded += 1;
      if (phase.status === "failed") entry.failed += 1;
      entry.retries += Math.max(0, phase.attempt - 1);
    }
  }
  for (const entry of stats.values()) {
    const ended = entry.succeeded + entry.failed;
    entry.rate = ended === 0 ? undefined : entry.succeeded / ended;
  }
  return [...stats.values()];
}
