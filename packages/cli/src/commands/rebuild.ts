import type { Run } from "@controlroom/contract";
import {
  type ComparedOutput,
  type MedallionExecutor,
  type RowDifference,
  rebuildVariant,
} from "@controlroom/executor-kit/medallion";
import { createOdooFinanceExecutor, ODOO_FINANCE_SPEC } from "@controlroom/odoo-medallion";
import { rebuildRunRequest } from "@controlroom/sdk";
import { explainClientError } from "../api/explain-client-error.js";
import { runIdArgument } from "../api/run-id-argument.js";
import { auditRunFailure } from "../audit/audit-run-failure.js";
import { AUDIT_PLANE_FLAGS, AUDIT_PLANE_USAGE, openAuditPlane } from "../audit/open-audit-plane.js";
import { workAuditRun } from "../audit/work-audit-run.js";
import type { CliIo } from "../cli-io.js";
import { parseFlagsAndPositionals } from "../parse-flags.js";
import { renderTextTable } from "../table/render-text-table.js";
import { UsageError } from "../usage-error.js";

/** The pipelines this command can rebuild, by the spec slug of their runs. */
const PIPELINES: Record<string, () => MedallionExecutor> = {
  [ODOO_FINANCE_SPEC]: () => createOdooFinanceExecutor(),
};

export const REBUILD_USAGE = `Usage: controlroom rebuild RUN_ID [--json] [--data-dir DIR | --url U --token T --lake DIR]

Re-runs a succeeded run's phases after ingest (validate → silver → gold → publish) at its
git sha, against the exact bronze versions it read (time travel), writing under
scratch/rebuild-<new run id>/ — as an audited run of its own (spec controlroom/rebuild) —
then compares every silver and gold output: the hash the run recorded, the stored table
version hashed again now, and the rebuilt one. Exit 0 when all match; 1 otherwise, naming
the first differing table and a sample of the rows that differ.
Pipelines: ${Object.keys(PIPELINES).join(", ")}.
  --json     print the comparison as JSON
  --verbose  worker logs (JSON) on stderr
${AUDIT_PLANE_USAGE}`;

/** Rows sampled each way by the verify phase. */
const SAMPLE_ROWS = 10;

/** A compared output, as its REBUILD_OUTPUT_COMPARED event carries it. */
type Compared = ComparedOutput & { differing_rows?: RowDifference | undefined };

/**
 * `controlroom rebuild RUN_ID`: creates the rebuild run of a run, works it with an
 * in-process worker serving the rebuild variant of the run's pipeline, and prints the
 * per-output comparison from its `REBUILD_OUTPUT_COMPARED` events.
 *
 * @example
 * ```ts
 * await rebuildCommand([runId, "--data-dir", ".controlroom"], processIo());
 * ```
 */
export async function rebuildCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlagsAndPositionals(argv, {
    json: { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
    ...AUDIT_PLANE_FLAGS,
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(REBUILD_USAGE);
    return 0;
  }
  const targetId = runIdArgument(positionals);
  const plane = await openAuditPlane(values, io);
  const stop = new AbortController();
  void io.waitForStop().then(() => stop.abort(new Error("stopped")));
  try {
    let target: Run;
    try {
      target = await plane.client.runs.get(targetId);
    } catch (error) {
      throw explainClientError(error, plane.client.baseUrl, `run ${targetId} not found`);
    }
    const pipeline = PIPELINES[target.spec_slug];
    if (pipeline === undefined) {
      throw new UsageError(
        `run ${targetId} is a run of ${target.spec_slug}; this command rebuilds ${Object.keys(PIPELINES).join(", ")}`,
      );
    }
    const created = await plane.client.runs.create(rebuildRunRequest(target));
    const progress = values.json ? io.stderr : io.stdout;
    progress(
      `controlroom rebuild: run ${created.run_id} rebuilds run ${targetId} at ${target.git_sha.slice(0, 12)} (${plane.description})`,
    );
    const { run, events } = await workAuditRun(plane, rebuildVariant(pipeline()), created, {
      signal: stop.signal,
      verbose: values.verbose,
      onEvent: (event) => {
        if (event.type === "PHASE_SUCCEEDED" && event.phase) progress(`  ${event.phase}: done`);
      },
    });
    const compared = events
      .filter((e) => e.type === "REBUILD_OUTPUT_COMPARED")
      .map((e) => e.payload as unknown as Compared);
    const mismatched = compared.filter((c) => !c.match);
    const error = auditRunFailure(run, events);
    if (values.json) {
      io.stdout(
        JSON.stringify(
          {
            rebuild_run_id: run.run_id,
            status: run.status,
            rebuild_of_run: targetId,
            match: run.status === "succeeded" && mismatched.length === 0,
            outputs: compared,
            error,
          },
          null,
          2,
        ),
      );
    } else {
      for (const line of comparisonLines(compared)) io.stdout(line);
      const first = mismatched[0];
      if (first !== undefined) {
        io.stdout("");
        io.stdout(
          `first differing output: ${first.output} version ${first.version} (${first.problem})`,
        );
        for (const line of differenceLines(first.differing_rows)) io.stdout(line);
      }
      io.stdout(
        run.status === "succeeded"
          ? `rebuild run ${run.run_id}: all ${compared.length} outputs of run ${targetId} match`
          : `rebuild run ${run.run_id} ${run.status}: ${error}`,
      );
    }
    return run.status === "succeeded" && mismatched.length === 0 ? 0 : 1;
  } finally {
    await plane.close();
  }
}

function comparisonLines(compared: Compared[]): string[] {
  if (compared.length === 0) return [];
  const short = (hash: string | null) => (hash === null ? "—" : hash.slice(0, 12));
  return renderTextTable(
    ["output", "version", "recorded", "stored", "rebuilt", "match"],
    compared.map((c) => ({
      output: c.output,
      version: c.version,
      recorded: short(c.recorded_sha256),
      stored: short(c.stored_sha256),
      rebuilt: short(c.rebuilt_sha256),
      match: c.match ? "yes" : "NO",
    })),
  );
}

function differenceLines(difference: RowDifference | undefined): string[] {
  if (difference === undefined) return ["  (no row sample: one side cannot be read)"];
  const lines: string[] = [];
  const section = (title: string, rows: unknown[][]) => {
    lines.push(`  ${title} (${rows.length}${rows.length === SAMPLE_ROWS ? "+" : ""}):`);
    for (const row of rows) {
      // An object in column order: the event store keeps arrays in order, not keys.
      const named = Object.fromEntries(difference.columns.map((c, i) => [c, row[i] ?? null]));
      lines.push(`    ${JSON.stringify(named)}`);
    }
  };
  section("rows only in the stored version", difference.only_in_stored);
  section("rows only in the rebuild", difference.only_in_rebuilt);
  return lines;
}
