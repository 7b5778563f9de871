import type { CliIo } from "../cli-io.js";
import { parseFlagsAndPositionals } from "../parse-flags.js";
import { jsonCell } from "../table/json-cell.js";
import { openTableLocation } from "../table/open-table-location.js";
import { renderTextTable } from "../table/render-text-table.js";
import { selectCell } from "../table/select-cell.js";
import { UsageError } from "../usage-error.js";

export const TABLE_READ_USAGE = `Usage: controlroom table read URI [--version N | --timestamp T] [--format table|jsonl]

Prints the rows of a Delta table.
  URI          a directory, file://… or s3://bucket/path (S3 credentials, endpoint and
               region from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL,
               AWS_REGION)
  --version    read this version (time travel)
  --timestamp  read the last version committed at or before this instant (RFC 3339)
  --format     table: aligned columns for a terminal              default table
               jsonl: one JSON object per row; integers and decimals as numbers when
               exact, else strings; timestamps RFC 3339; binary base64`;

// One view name per process is enough: the engine is private to this command.
const VIEW = "controlroom_table";

/**
 * `controlroom table read URI`: reads a Delta table's log with the Delta adapter (any
 * version or instant), exposes its files as a DuckDB view and prints the rows, as a
 * text table or as JSON lines (streamed, so memory stays flat on big tables).
 *
 * @example
 * ```ts
 * await tableReadCommand(["./lake/silver/orders", "--format", "jsonl"], processIo());
 * ```
 */
export async function tableReadCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlagsAndPositionals(argv, {
    version: { type: "string" },
    timestamp: { type: "string" },
    format: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(TABLE_READ_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("expected exactly one table URI");
  const format = values.format ?? "table";
  if (format !== "table" && format !== "jsonl")
    throw new UsageError("--format must be table or jsonl");
  if (values.version !== undefined && values.timestamp !== undefined) {
    throw new UsageError("give --version or --timestamp, not both");
  }
  let version: number | undefined;
  if (values.version !== undefined) {
    version = Number(values.version);
    if (!/^\d+$/.test(values.version) || !Number.isSafeInteger(version)) {
      throw new UsageError("--version must be a non-negative integer");
    }
  }
  let timestamp: Date | undefined;
  if (values.timestamp !== undefined) {
    timestamp = new Date(values.timestamp);
    if (Number.isNaN(timestamp.getTime()))
      throw new UsageError("--timestamp must be an RFC 3339 instant");
  }

  const table = await openTableLocation(positionals[0] as string, io.env, io.cwd);
  const [{ openDeltaTable }, { createDuckDbEngine, registerTableView }] = await Promise.all([
    import("@controlroom/adapters/delta"),
    import("@controlroom/adapters/duckdb"),
  ]);
  const delta = openDeltaTable({ store: table.store, location: table.location });
  const engine = createDuckDbEngine();
  try {
    if (!(await delta.exists())) throw new Error(`no Delta table at ${table.display}`);
    const snapshot = await delta.snapshot({ version, timestamp });
    const view = await registerTableView(engine, VIEW, snapshot, {
      store: table.store,
      location: table.location,
    });
    try {
      const sql = `SELECT ${snapshot.schema.fields.map((field) => selectCell(field.name, field.type)).join(", ")} FROM ${VIEW}`;
      if (format === "jsonl") {
        for await (const batch of engine.stream(sql, { batchSize: 5_000 })) {
          for (const row of batch.rows) io.stdout(JSON.stringify(jsonCell(row)));
        }
      } else {
        const { rows } = await engine.query(sql);
        const columns = snapshot.schema.fields.map((field) => field.name);
        const cells = rows.map((row) => jsonCell(row) as Record<string, unknown>);
        for (const line of renderTextTable(columns, cells)) io.stdout(line);
        io.stderr(`(${rows.length} rows, version ${snapshot.version})`);
      }
    } finally {
      await view.dispose();
    }
    return 0;
  } finally {
    await engine.close();
    await delta.close();
    await table.close();
  }
}
