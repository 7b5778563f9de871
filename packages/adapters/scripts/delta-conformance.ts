// Prints the Delta conformance table: every fixture case under <repo>/../shared/fixtures/delta
// (version, expected rows, rows read, result). Exits 1 when any check fails.
// Run: pnpm --filter @controlroom/adapters delta:conformance
import { openDuckDbSession } from "../src/delta/index.js";
import { type CheckOutcome, conformanceChecks, runCheck } from "../test/delta-conformance-cases.js";

const session = await openDuckDbSession();
const rows: string[][] = [];
const tally: Record<CheckOutcome["result"], number> = { pass: 0, refused: 0, fail: 0 };
for (const check of conformanceChecks()) {
  const outcome = await runCheck(check, session);
  tally[outcome.result]++;
  rows.push([
    `${check.suite}/${check.name}`,
    check.version === undefined ? "latest" : `v${check.version}`,
    outcome.expectedRows === undefined ? "-" : String(outcome.expectedRows),
    outcome.gotRows === undefined ? "-" : String(outcome.gotRows),
    outcome.result.toUpperCase(),
    outcome.result === "pass" ? "" : outcome.detail.slice(0, 140),
  ]);
}
await session.close();

const header = ["case", "version", "expected", "got", "result", "detail"];
const widths = header.map((h, i) =>
  Math.min(70, Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length))),
);
const line = (cells: string[]) =>
  cells
    .map((c, i) => c.padEnd(widths[i] ?? 0))
    .join("  ")
    .trimEnd();
console.log(line(header));
console.log(line(widths.map((w) => "-".repeat(w))));
for (const row of rows) console.log(line(row));
console.log(
  `\n${rows.length} checks: ${tally.pass} passed, ${tally.refused} refused as expected, ${tally.fail} failed`,
);
process.exitCode = tally.fail === 0 ? 0 : 1;
