import type { Findings } from "./findings.js";

/** What the test did, for the report (the checks' counts come from {@link Findings}). */
export interface ChaosActivity {
  seed: number;
  workers: number;
  concurrency: number;
  kills: number;
  aimedKills: number;
  workerStarts: number;
  connectionsCut: number;
  durationMs: number;
}

/** The counts a chaos run prints: what happened, and the violations (must be 0). */
export function formatReport(activity: ChaosActivity, findings: Findings): string {
  const n = (name: string) => findings.get(name);
  const rows: [string, string][] = [
    ["runs", `${n("runs")} (all must succeed)`],
    ["phases", String(n("phases"))],
    [
      "attempts",
      // Workers claim with `start`, so an attempt is started by its claim; one never
      // started would be a claim without it whose worker died before its first heartbeat.
      `${n("attempts")} (${n("attempts never started")} never started)`,
    ],
    [
      "worker kills",
      `${activity.kills} SIGKILL (${activity.aimedKills} aimed at a lease holder), ${activity.workers} workers × ${activity.concurrency} slots, ${activity.workerStarts} processes started`,
    ],
    ["lease expiries", String(n("lease expiries"))],
    ["retries", `${n("retries")} (${n("failed attempts")} after injected failures)`],
    ["db connections cut", `${activity.connectionsCut} (once, pg_terminate_backend)`],
    ["events", `${n("events")} (${n("late executor events")} executor events after the run ended)`],
    [
      "side effects",
      `${n("side effects recorded")} recorded, ${n("side effects of attempts that lost their lease")} by attempts that lost their lease, ${n("torn side-effect lines")} torn by a kill`,
    ],
    [
      "artifacts",
      `${n("artifacts verified in storage")} verified in storage (${n("artifact bytes verified")} bytes)`,
    ],
    ["violations", String(findings.violations.length)],
    ["duration", `${Math.round(activity.durationMs / 1000)} s (seed ${activity.seed})`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
  const shown = findings.violations.slice(0, 50).map((v) => `  ! ${v}`);
  if (findings.violations.length > shown.length) {
    shown.push(`  … and ${findings.violations.length - shown.length} more`);
  }
  return ["chaos: nothing is lost", ...lines, ...shown].join("\n");
}
