import {
  type ActivityRows,
  buildActivity,
  emptyActivityRows,
  type RecentInvoices,
} from "./build-activity.js";
import { buildMasterData } from "./build-master-data.js";
import type { OdooContext } from "./odoo-context.js";
import { MICROS } from "./odoo-format.js";
import { ODOO_TABLES, type OdooRow, type OdooTable } from "./odoo-tables.js";
import { createRandom } from "./random.js";

/** Options of {@link generateOdooData}. */
export interface GenerateOdooDataOptions {
  /**
   * The PRNG seed: the same seed and options give identical rows.
   * @default 1
   */
  seed?: number | undefined;
  /**
   * About how many journal items (`account_move_line` rows) to generate; generation stops
   * at the first move boundary at or past it. Partners and products scale with it.
   * @default 10_000
   */
  rows?: number | undefined;
  /**
   * The first moment of the history (UTC).
   * @default "2024-01-01T00:00:00Z"
   */
  start?: Date | string | undefined;
  /**
   * The last moment of the history: no write_date is later.
   * @default "2025-12-31T23:59:59Z"
   */
  end?: Date | string | undefined;
  /**
   * Business events per batch: bounds memory (about 7 journal items each).
   * @default 2_000
   */
  batchEvents?: number | undefined;
}

/** One batch of rows for one table, in load order. */
export interface OdooTableRows {
  table: OdooTable;
  rows: OdooRow[];
}

/** Odoo's default start and end of the generated history. */
export const DEFAULT_HISTORY = {
  start: "2024-01-01T00:00:00Z",
  end: "2025-12-31T23:59:59Z",
} as const;

/**
 * Generates an Odoo 17 shaped dataset as a stream of batches: first the master data, then
 * business events in time order (invoices, bills, credit notes, payments, sale orders),
 * a few thousand at a time, so memory stays flat however many rows are asked for. Moves
 * posted together share a write_date, as in Odoo, so cursors meet many ties.
 *
 * @example
 * ```ts
 * for (const batch of generateOdooData({ seed: 7, rows: 50_000 })) {
 *   for (const { table, rows } of batch) await copyRows(table, rows);
 * }
 * ```
 */
export function* generateOdooData(
  options: GenerateOdooDataOptions = {},
): Generator<OdooTableRows[], OdooContext, void> {
  const random = createRandom(options.seed ?? 1);
  const target = Math.max(1, Math.floor(options.rows ?? 10_000));
  const startMicros = toMicros(options.start ?? DEFAULT_HISTORY.start);
  const endMicros = toMicros(options.end ?? DEFAULT_HISTORY.end);
  if (!(endMicros > startMicros)) throw new RangeError("end must be after start");
  const batchEvents = Math.max(1, options.batchEvents ?? 2_000);

  const { rows: master, context } = buildMasterData(random, {
    partners: Math.max(12, Math.round(target / 100)),
    products: Math.max(12, Math.round(target / 2_000)),
    startMicros,
    endMicros,
  });
  yield ODOO_TABLES.map((table) => ({ table, rows: master.get(table) ?? [] })).filter(
    (entry) => entry.rows.length > 0,
  );

  // Moves are posted in small groups that share one timestamp. The clock follows the
  // progress towards the target, so the history spans start to end whatever the mix.
  const span = endMicros - startMicros;
  const recent: RecentInvoices = new Map();
  let clock = startMicros;
  let lines = 0;
  let events = 0;
  let out: ActivityRows = emptyActivityRows();
  while (lines < target) {
    const progress = startMicros + Math.floor((span * lines) / target);
    clock = Math.min(endMicros, Math.max(clock + 1, progress + random.int(0, MICROS.second)));
    const size = random.int(1, 4);
    for (let index = 0; index < size && lines < target; index += 1) {
      const before = out.account_move_line.length;
      buildActivity(context, random, clock, { endMicros, recent }, out);
      lines += out.account_move_line.length - before;
      events += 1;
    }
    if (events >= batchEvents) {
      yield activityBatch(out);
      out = emptyActivityRows();
      events = 0;
    }
  }
  if (out.account_move.length > 0) yield activityBatch(out);
  return context;
}

/**
 * Rows of an activity batch in foreign-key order.
 *
 * @example
 * ```ts
 * const batch = activityBatch(out);
 * ```
 */
export function activityBatch(out: ActivityRows): OdooTableRows[] {
  return (["sale_order", "sale_order_line", "account_move", "account_move_line"] as const)
    .map((table) => ({ table, rows: out[table] }))
    .filter((entry) => entry.rows.length > 0);
}

function toMicros(value: Date | string): number {
  const ms = (value instanceof Date ? value : new Date(value)).getTime();
  if (Number.isNaN(ms)) throw new RangeError(`not a date: ${String(value)}`);
  return ms * MICROS.ms;
}
