import type { Event, Run } from "@controlroom/contract";
import { defineRollbackExecutor, type RollbackOutput } from "@controlroom/executor-kit/medallion";
import { ROLLBACK_PHASE, rollbackRunRequest } from "@controlroom/sdk";
import { explainClientError } from "../api/explain-client-error.js";
import { runIdArgument } from "../api/run-id-argument.js";
import { auditRunFailure } from "../audit/audit-run-failure.js";
import { AUDIT_PLANE_FLAGS, AUDIT_PLANE_USAGE, openAuditPlane } from "../audit/open-audit-plane.js";
import { workAuditRun } from "../audit/work-audit-run.js";
import type { CliIo } from "../cli-io.js";
import { parseFlags } from "../parse-flags.js";
import { renderTextTable } from "../table/render-text-table.js";
import { UsageError } from "../usage-error.js";

export const ROLLBACK_USAGE = `Usage: controlroom rollback --to-run RUN_ID [--tables a,b] [--dry-run] [--json]
                           [--data-dir DIR | --url U --token T --lake DIR]

Restores the silver and gold tables a succeeded run published to the versions it wrote,
as an audited run of its own (spec controlroom/rollback): one RESTORE commit per table,
naming the rollback run and the run rolled back to; tables already there are skipped,
so running it again after an interruption completes it. Bronze tables are never rolled
back: they are the raw history and hold the ingest cursor, so the next run ingests
from where the last one stopped and rebuilds silver and gold from all of it.
  --to-run RUN_ID  the run whose tables to go back to
  --tables a,b     only these (silver.invoice, gold.ar_ageing, or a bare name)
  --dry-run        change nothing: print each table's current → target version and rows
  --json           print the result as JSON
  --verbose        worker logs (JSON) on stderr
${AUDIT_PLANE_USAGE}`;

/**
 * `controlroom rollback --to-run RUN_ID`: creates a rollback run of the run's tables,
 * works it with an in-process worker and prints what happened to each table. Exit 0
 * when the rollback run succeeded, 1 when it did not.
 *
 * @example
 * ```ts
 * await rollbackCommand(["--to-run", runId, "--data-dir", ".controlroom", "--dry-run"], processIo());
 * ```
 */
export async function rollbackCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, {
    "to-run": { type: "string" },
    tables: { type: "string" },
    "dry-run": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
    ...AUDIT_PLANE_FLAGS,
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(ROLLBACK_USAGE);
    return 0;
  }
  if (values["to-run"] === undefined) throw new UsageError("--to-run RUN_ID is required");
  const targetId = runIdArgument([values["to-run"]]);
  const tables = values.tables
    ?.split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const dryRun = values["dry-run"];
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
    const body = rollbackRunRequest(target, { tables, dry_run: dryRun });
    const created = await plane.client.runs.create(body);
    const progress = values.json ? io.stderr : io.stdout;
    const count = (body.input_manifest.tables as unknown[] | undefined)?.length ?? 0;
    progress(
      `controlroom rollback: run ${created.run_id} ${dryRun ? "plans restoring" : "restores"} ${count} table(s) of run ${targetId} (${plane.description})`,
    );
    const { run, events } = await workAuditRun(plane, defineRollbackExecutor(), created, {
      signal: stop.signal,
      verbose: values.verbose,
      onEvent: (event) => {
        if (event.type.startsWith("ROLLBACK_TABLE_")) progress(`  ${event.message}`);
      },
    });
    const output = run.phases.find((p) => p.name === ROLLBACK_PHASE)?.output as
      | RollbackOutput
      | null
      | undefined;
    const error = auditRunFailure(run, events);
    if (values.json) {
      io.stdout(
        JSON.stringify(
          {
            rollback_run_id: run.run_id,
            status: run.status,
            rollback_of_run: targetId,
            dry_run: dryRun,
            tables: output?.tables ?? tablesFromEvents(events),
            error,
          },
          null,
          2,
        ),
      );
    } else {
      for (const line of resultLines(output?.tables ?? tablesFromEvents(events), dryRun)) {
        io.stdout(line);
      }
      io.stdout(
        run.status === "succeeded"
          ? `rollback run ${run.run_id} succeeded${dryRun ? " (dry run: nothing changed)" : ""}`
          : `rollback run ${run.run_id} ${run.status}: ${error ?? "see controlroom events tail"}`,
      );
    }
    return run.status === "succeeded" ? 0 : 1;
  } finally {
    await plane.close();
  }
}

type TableResults = Record<string, Partial<RollbackOutput["tables"][string]>>;

function resultLines(tables: TableResults, dryRun: boolean): string[] {
  // By name: the phase output is a JSON object, whose key order the store may change.
  const entries = Object.entries(tables).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return [];
  const rows = entries.map(([table, t]) =>
    dryRun
      ? {
          table,
          current: t.from_version,
          target: t.to_version,
          "rows now": t.rows_before,
          "rows at target": t.rows_after,
          plan: t.status === "would_keep" ? "keep (already there)" : "restore",
        }
      : {
          table,
          "from → to": `${t.from_version} → ${t.to_version}`,
          "new version": t.version,
          rows: `${t.rows_before} → ${t.rows_after}`,
          status: t.status,
        },
  );
  const columns = dryRun
    ? ["table", "current", "target", "rows now", "rows at target", "plan"]
    : ["table", "from → to", "new version", "rows", "status"];
  return renderTextTable(columns, rows);
}

/** What the events say about each table, when the phase did not finish. */
function tablesFromEvents(events: Event[]): TableResults {
  const tables: TableResults = {};
  for (const event of events) {
    if (event.type === "ROLLBACK_TABLE_RESTORED" || event.type === "ROLLBACK_TABLE_SKIPPED") {
      const { table, ...rest } = event.payload as { table: string } & TableResults[string];
      tables[table] = rest;
    }
  }
  return tables;
}
