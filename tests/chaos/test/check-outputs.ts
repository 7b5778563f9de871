import { isDeepStrictEqual } from "node:util";
import { CHAOS_DAG, ChaosOutputSchema, type ChaosPhaseName } from "../src/chaos-executor.js";
import type { SideEffectLog } from "../src/side-effects.js";
import { type ChaosSnapshot, phaseKey } from "./chaos-snapshot.js";
import type { Findings } from "./findings.js";

/**
 * Every succeeded phase's output came from the attempt that held its lease when it
 * completed: the output names attempt k, attempt k is the one `ops.phase_attempts`
 * says succeeded, it was claimed by the executor the output names, and that attempt's
 * durably recorded side effect is exactly the stored output. Every recorded side
 * effect belongs to an attempt the control plane granted to that executor. Each
 * phase saw its upstream phases' final outputs.
 */
export function checkOutputs(
  snapshot: ChaosSnapshot,
  sideEffects: SideEffectLog,
  findings: Findings,
): void {
  const recordsByPhase = new Map<string, typeof sideEffects.records>();
  for (const record of sideEffects.records) {
    const key = phaseKey(record.run_id, record.phase);
    recordsByPhase.set(key, [...(recordsByPhase.get(key) ?? []), record]);
    const granted = snapshot.attempts.get(key)?.[record.attempt - 1];
    findings.expect(
      granted?.attempt === record.attempt && granted.executor_id === record.executor_id,
      () =>
        `side effect of ${key} attempt ${record.attempt} by ${record.executor_id}: the control plane granted that attempt to ${granted?.executor_id ?? "nobody"}`,
    );
  }
  findings.count("side effects recorded", sideEffects.records.length);
  findings.count("torn side-effect lines", sideEffects.tornLines);
  for (const line of sideEffects.corruptLines) {
    findings.violation(`side-effect file ${line}: a corrupt line that is not a file's last`);
  }

  for (const run of snapshot.runs) {
    const phases = snapshot.phases.get(run.run_id) ?? [];
    const nonces = new Map<string, string>();
    for (const phase of phases) {
      const where = `run ${run.run_id} phase ${phase.name}`;
      const parsed = ChaosOutputSchema.safeParse(phase.output);
      if (!parsed.success) {
        findings.violation(`${where}: stored output is not a chaos output`);
        continue;
      }
      const output = parsed.data;
      nonces.set(phase.name, output.nonce);
      const attempts = snapshot.attempts.get(phaseKey(run.run_id, phase.name)) ?? [];
      const winner = attempts.find((a) => a.outcome === "succeeded");
      findings.expect(
        winner !== undefined && output.attempt === winner.attempt,
        () =>
          `${where}: output of attempt ${output.attempt}, but attempt ${winner?.attempt} completed`,
      );
      findings.expect(
        winner?.executor_id === output.executor_id,
        () => `${where}: output by ${output.executor_id}, lease held by ${winner?.executor_id}`,
      );
      const records = (recordsByPhase.get(phaseKey(run.run_id, phase.name)) ?? []).filter(
        (r) => r.attempt === output.attempt,
      );
      findings.expect(
        records.length === 1 && isDeepStrictEqual(records[0]?.output, phase.output),
        () =>
          `${where}: ${records.length} side-effect records of attempt ${output.attempt} (need exactly one, equal to the stored output)`,
      );
      const others = (recordsByPhase.get(phaseKey(run.run_id, phase.name)) ?? []).filter(
        (r) => r.attempt !== output.attempt,
      );
      findings.count("side effects of attempts that lost their lease", others.length);
      findings.expect(
        others.every((r) => r.output.nonce !== output.nonce),
        () => `${where}: a losing attempt's side effect has the winning output`,
      );
      const succeeded = snapshot.events
        .get(run.run_id)
        ?.find((e) => e.phase === phase.name && e.type === "PHASE_SUCCEEDED");
      findings.expect(
        succeeded?.payload.executor_id === output.executor_id,
        () => `${where}: PHASE_SUCCEEDED names ${String(succeeded?.payload.executor_id)}`,
      );
    }
    for (const phase of phases) {
      const output = ChaosOutputSchema.safeParse(phase.output);
      if (!output.success) continue;
      const upstream = CHAOS_DAG[phase.name as ChaosPhaseName] ?? [];
      const expected = Object.fromEntries(upstream.map((name) => [name, nonces.get(name)]));
      findings.expect(
        isDeepStrictEqual(output.data.upstream, expected),
        () =>
          `run ${run.run_id} phase ${phase.name} saw upstream ${JSON.stringify(output.data.upstream)}, final outputs are ${JSON.stringify(expected)}`,
      );
    }
  }
}
