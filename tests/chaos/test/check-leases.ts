import { CHAOS_DAG } from "../src/chaos-executor.js";
import { type ChaosSnapshot, phaseKey } from "./chaos-snapshot.js";
import type { Findings } from "./findings.js";

/**
 * No phase ever had two live leases, read from `ops.phase_attempts` (one row per
 * claim): a phase's attempts are numbered 1…n, each ended (finished, with an outcome)
 * before the next was claimed, only the last succeeded and the phase holds no lease
 * now. Every run and phase succeeded.
 */
export function checkLeases(snapshot: ChaosSnapshot, findings: Findings): void {
  for (const run of snapshot.runs) {
    findings.count("runs");
    findings.expect(run.status === "succeeded", () => `run ${run.run_id} is ${run.status}`);
    const phases = snapshot.phases.get(run.run_id) ?? [];
    findings.expect(
      phases.map((p) => p.name).join() === Object.keys(CHAOS_DAG).join(),
      () => `run ${run.run_id} has phases ${phases.map((p) => p.name).join()}`,
    );
    for (const phase of phases) {
      const where = `run ${run.run_id} phase ${phase.name}`;
      findings.count("phases");
      findings.expect(phase.status === "succeeded", () => `${where} is ${phase.status}`);
      findings.expect(phase.lease_token === null, () => `${where} still holds a lease`);
      const attempts = snapshot.attempts.get(phaseKey(run.run_id, phase.name)) ?? [];
      findings.count("attempts", attempts.length);
      findings.expect(
        attempts.length === phase.attempt,
        () => `${where}: ${attempts.length} attempt rows, phase says attempt ${phase.attempt}`,
      );
      attempts.forEach((attempt, index) => {
        const label = `${where} attempt ${attempt.attempt}`;
        findings.expect(attempt.attempt === index + 1, () => `${label}: expected ${index + 1}`);
        findings.expect(
          attempt.finished_us !== null && attempt.outcome !== null,
          () => `${label} never ended`,
        );
        const last = index === attempts.length - 1;
        findings.expect(
          last ? attempt.outcome === "succeeded" : attempt.outcome !== "succeeded",
          () => `${label} ended ${attempt.outcome} (the ${last ? "last" : "not last"} attempt)`,
        );
        if (attempt.outcome === "expired") findings.count("lease expiries");
        if (attempt.outcome === "failed") findings.count("failed attempts");
        if (attempt.started_us === null) findings.count("attempts never started");
        const next = attempts[index + 1];
        const finished = attempt.finished_us;
        if (next && finished !== null) {
          findings.expect(
            next.claimed_us >= finished,
            () =>
              `${label} ended ${finished - next.claimed_us} µs after attempt ${next.attempt} was claimed: two live leases`,
          );
        }
      });
    }
  }
}
