import { jsonCell } from "../table/json-cell.js";
import { selectCell } from "../table/select-cell.js";
import type { UiLake } from "./ui-lake.js";

/** One version of a table, as the web UI lists it. */
export interface TableVersionInfo {
  version: number;
  timestamp: string;
  operation: string;
  /** The run, phase and commit the writer recorded in the commit info, when it did. */
  run_id: string | null;
  phase: string | null;
  git_sha: string | null;
}

/** A table's history, schema and first rows at one version. */
export interface TableDetail {
  location: string;
  /** The version the schema and preview are of. */
  version: number;
  /** Rows in that version. */
  row_count: number;
  /** Newest first, at most `historyLimit`. */
  history: TableVersionInfo[];
  schema: { name: string; type: string; nullable: boolean }[];
  preview: { columns: string[]; rows: Record<string, unknown>[] };
}

/** What {@link readTableDetail} reads. */
export interface ReadTableDetailOptions {
  /** The version to describe. @default the latest */
  version?: number | undefined;
  /** Preview rows. @default 100 */
  limit?: number | undefined;
  /** Versions listed. @default 50 */
  historyLimit?: number | undefined;
}

// One view name per engine; each call has its own engine.
const VIEW = "controlroom_ui_table";

/**
 * Reads what the Tables screen shows of the Delta table at `location` in the lake: its
 * history with the provenance of each version (from the log alone), and the schema, row
 * count and first rows of one version (through DuckDB, like `controlroom table read`).
 * Returns `undefined` when there is no table there.
 *
 * @example
 * ```ts
 * const detail = await readTableDetail(lake, "gold/finance/ar_ageing", { version: 2 });
 * ```
 */
export async function readTableDetail(
  lake: UiLake,
  location: string,
  options: ReadTableDetailOptions = {},
): Promise<TableDetail | undefined> {
  const [{ openDeltaTable }, { createDuckDbEngine, registerTableView }] = await Promise.all([
    import("@controlroom/adapters/delta"),
    import("@controlroom/adapters/duckdb"),
  ]);
  const delta = openDeltaTable({ store: lake.store, location: lake.key(location) });
  try {
    if (!(await delta.exists())) return undefined;
    const history = await delta.history({ limit: options.historyLimit ?? 50 });
    const snapshot = await delta.snapshot({ version: options.version });
    const engine = createDuckDbEngine();
    try {
      const view = await registerTableView(engine, VIEW, snapshot, {
        store: lake.store,
        location: lake.key(location),
      });
      try {
        const fields = snapshot.schema.fields;
        const select = fields.map((field) => selectCell(field.name, field.type)).join(", ");
        const limit = options.limit ?? 100;
        const [count, rows] = await Promise.all([
          engine.query(`SELECT count(*) AS n FROM ${VIEW}`),
          fields.length === 0
            ? Promise.resolve({ rows: [] })
            : engine.query(`SELECT ${select} FROM ${VIEW} LIMIT ${limit}`),
        ]);
        return {
          location,
          version: snapshot.version,
          row_count: Number(count.rows[0]?.n ?? 0),
          history: history.map((entry) => ({
            version: entry.version,
            timestamp: entry.timestamp.toISOString(),
            operation: entry.operation,
            run_id: entry.provenance?.run_id ?? null,
            phase: entry.provenance?.phase ?? null,
            git_sha: entry.provenance?.git_sha ?? null,
          })),
          schema: fields.map((field) => ({
            name: field.name,
            type: field.type,
            nullable: field.nullable,
          })),
          preview: {
            columns: fields.map((field) => field.name),
            rows: rows.rows.map((row) => jsonCell(row) as Record<string, unknown>),
          },
        };
      } finally {
        await view.dispose();
      }
    } finally {
      await engine.close();
    }
  } finally {
    await delta.close();
  }
}
