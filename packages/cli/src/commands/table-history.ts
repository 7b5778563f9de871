import type { CliIo } from "../cli-io.js";
import { choiceFlag, countFlag } from "../flag-values.js";
import { parseFlagsAndPositionals } from "../parse-flags.js";
import { openTableLocation } from "../table/open-table-location.js";
import { renderTextTable } from "../table/render-text-table.js";
import { UsageError } from "../usage-error.js";

export const TABLE_HISTORY_USAGE = `Usage: controlroom table history URI [--limit N] [--format table|json]

Lists a Delta table's versions, newest first: when each was committed, the operation,
and the run, phase and commit that wrote it (the provenance in its commitInfo).
  URI       a directory, file://… or s3://bucket/path (S3 credentials, endpoint and
            region from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL,
            AWS_REGION)
  --limit   only the newest N versions                         default all
  --format  table: aligned columns for a terminal              default table
            json: an array of { version, timestamp, operation, operation_parameters,
            provenance }`;

/**
 * `controlroom table history URI`: a Delta table's commits with their provenance, read
 * from its log alone (no data file is opened), so it is cheap on tables of any size.
 *
 * @example
 * ```ts
 * await tableHistoryCommand(["./lake/silver/orders", "--limit", "5"], processIo());
 * ```
 */
export async function tableHistoryCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlagsAndPositionals(argv, {
    limit: { type: "string" },
    format: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(TABLE_HISTORY_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("expected exactly one table URI");
  const limit = countFlag("--limit", values.limit, Number.MAX_SAFE_INTEGER);
  const format = choiceFlag("--format", values.format, ["table", "json"], "table");

  const table = await openTableLocation(positionals[0] as string, io.env, io.cwd);
  const { openDeltaTable } = await import("@controlroom/adapters/delta");
  const delta = openDeltaTable({ store: table.store, location: table.location });
  try {
    if (!(await delta.exists())) throw new Error(`no Delta table at ${table.display}`);
    const history = await delta.history({ limit });
    if (format === "json") {
      const entries = history.map((entry) => ({
        version: entry.version,
        timestamp: entry.timestamp.toISOString(),
        operation: entry.operation,
        operation_parameters: entry.commitInfo?.operationParameters ?? null,
        provenance: entry.provenance ?? null,
      }));
      io.stdout(JSON.stringify(entries, null, 2));
      return 0;
    }
    const rows = history.map((entry) => ({
      version: entry.version,
      timestamp: entry.timestamp.toISOString(),
      operation: operationText(entry.operation, entry.commitInfo?.operationParameters),
      run_id: entry.provenance?.run_id ?? "-",
      phase: entry.provenance?.phase ?? "-",
      git_sha: entry.provenance?.git_sha ?? "-",
    }));
    const columns = ["version", "timestamp", "operation", "run_id", "phase", "git_sha"];
    for (const line of renderTextTable(columns, rows)) io.stdout(line);
    io.stderr(`(${rows.length} version${rows.length === 1 ? "" : "s"})`);
    return 0;
  } finally {
    await delta.close();
    await table.close();
  }
}

// Delta calls appends and overwrites both WRITE; the mode tells them apart. A RESTORE
// says which version it went back to.
function operationText(operation: string, parameters: unknown): string {
  const { mode, version } = (parameters ?? {}) as { mode?: unknown; version?: unknown };
  if (operation === "RESTORE" && version !== undefined) return `RESTORE (to ${version})`;
  return typeof mode === "string" && mode !== "" ? `${operation} (${mode})` : operation;
}
