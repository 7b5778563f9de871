import type { BenchOptions } from "./bench-options.js";
import type { GroupReport, TargetResult } from "./group-report.js";
import type { MachineInfo } from "./machine.js";

/** What {@link renderReport} prints. */
export interface ReportInput {
  machine: MachineInfo;
  options: BenchOptions;
  reports: GroupReport[];
  startedAt: Date;
}

/** The plain-text report: machine, each group's setup and figures, then the targets. */
export function renderReport(input: ReportInput): string {
  const { machine, options, reports } = input;
  const lines: string[] = [];
  lines.push("Control Room benchmarks", "=======================", "");
  lines.push(`started    ${input.startedAt.toISOString()}`);
  lines.push(
    `machine    ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB RAM`,
  );
  lines.push(`system     ${machine.os}, load average ${machine.loadAverage} at start`);
  lines.push(`runtime    Node ${machine.node}, PostgreSQL ${machine.postgres}`);
  lines.push(
    `settings   ${options.reps} alternating repetitions per contender${options.groups.includes("gold") ? ` (gold: ${options.goldReps}, --gold-reps)` : ""}, medians reported`,
    "",
  );
  for (const report of reports) {
    lines.push(report.title, "-".repeat(report.title.length));
    for (const line of report.setup) lines.push(`  · ${line}`);
    lines.push("");
    if (report.table.length > 0) lines.push(...renderTable(report.table).map((l) => `  ${l}`));
    for (const note of report.notes) lines.push(`  note: ${note}`);
    lines.push("");
  }
  lines.push("Targets", "-------");
  for (const target of allTargets(reports)) {
    const verdict = target.met === undefined ? "pending  " : target.met ? "met      " : "NOT MET  ";
    lines.push(`  ${verdict} ${target.target}: ${target.detail}`);
  }
  lines.push("");
  return `${lines.join("\n")}\n`;
}

/** Every group's targets, plus the four of issue #8 that no group in this run measured. */
function allTargets(reports: GroupReport[]): TargetResult[] {
  const targets = reports.flatMap((report) => report.targets);
  const known = [
    "throughput ≥ graphile-worker's",
    "p50 enqueue-to-start latency < 10 ms",
    "framework overhead < 10% over plain DuckDB",
    "ingest peak memory < 512 MB",
  ];
  for (const target of known) {
    if (!targets.some((t) => t.target === target)) {
      targets.push({ target, met: undefined, detail: "not measured in this run" });
    }
  }
  return targets;
}

/** Columns padded to their widest cell; numbers (and ratios) right-aligned. */
export function renderTable(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  const numeric = (cell: string) => /^[-\d.,×%n/a µMiBs ]+$/.test(cell) && /\d/.test(cell);
  const render = (row: string[]) =>
    row
      .map((cell, i) =>
        numeric(cell) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join("  ")
      .trimEnd();
  const [header, ...body] = rows;
  if (header === undefined) return [];
  return [render(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(render)];
}
