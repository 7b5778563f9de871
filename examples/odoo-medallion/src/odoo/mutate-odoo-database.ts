import { type ActivityRows, buildActivity, emptyActivityRows } from "./build-activity.js";
import { applyReconciliation, buildPayment } from "./build-payment.js";
import { toCopyText } from "./copy-text.js";
import { activityBatch } from "./generate-odoo-data.js";
import { loadOdooContext } from "./load-odoo-context.js";
import type { OdooDatabase } from "./odoo-database.js";
import { formatTimestamp, MICROS } from "./odoo-format.js";
import { ODOO_TABLE_COLUMNS, type OdooRow, type OdooTable } from "./odoo-tables.js";
import { createRandom } from "./random.js";
import { resetSequences } from "./seed-odoo-database.js";

/** Options of {@link mutateOdooDatabase}. */
export interface MutateOdooOptions {
  /**
   * Chooses which rows change and how: the same seed on the same database makes the same
   * changes.
   * @default 1
   */
  seed?: number | undefined;
  /**
   * How many business changes to make: about 30% payments of open customer invoices,
   * 10% draft cancellations, 20% partner updates, the rest new invoices and bills.
   * @default 50
   */
  changes?: number | undefined;
  /**
   * The write_date of the changes (UTC). Defaults to an hour after the newest move, so
   * that the result does not depend on the wall clock; pass `new Date()` for a live demo.
   * @default newest account_move.write_date + 1 hour
   */
  at?: Date | string | undefined;
}

/** What {@link mutateOdooDatabase} changed: the ids of inserted or updated rows per table. */
export interface MutateOdooResult {
  /** The write_date of the updates (new moves follow it, one second apart). */
  at: string;
  changed: Record<
    "account_move" | "account_move_line" | "res_partner" | "sale_order" | "sale_order_line",
    number[]
  >;
  paidInvoices: number[];
  cancelledMoves: number[];
  newMoves: number[];
}

/**
 * Makes deterministic changes to a seeded Odoo database, the way users would between two
 * ingests: registers payments against open customer invoices (a new bank entry, and the
 * invoice and its receivable line updated), cancels drafts, edits partners and posts new
 * invoices and bills. Every changed row gets a newer write_date, so an incremental read
 * after the previous high-water mark returns exactly these rows (see `changed`).
 *
 * @example
 * ```ts
 * const before = await source.highWaterMark("account_move");
 * const { changed } = await mutateOdooDatabase(db, { seed: 1, changes: 20 });
 * // reading account_move after `before` returns changed.account_move
 * ```
 */
export async function mutateOdooDatabase(
  db: OdooDatabase,
  options: MutateOdooOptions = {},
): Promise<MutateOdooResult> {
  const seed = options.seed ?? 1;
  const changes = Math.max(1, Math.floor(options.changes ?? 50));
  const random = createRandom(seed ^ 0x5eed);
  const context = await loadOdooContext(db);
  const atMicros = await startOfChanges(db, options.at);
  const at = formatTimestamp(atMicros);
  const user = 2;
  const result: MutateOdooResult = {
    at: `${at.replace(" ", "T")}Z`,
    changed: {
      account_move: [],
      account_move_line: [],
      res_partner: [],
      sale_order: [],
      sale_order_line: [],
    },
    paidInvoices: [],
    cancelledMoves: [],
    newMoves: [],
  };
  const payCount = Math.ceil(changes * 0.3);
  const cancelCount = Math.ceil(changes * 0.1);
  const partnerCount = Math.ceil(changes * 0.2);
  const newCount = Math.max(0, changes - payCount - cancelCount - partnerCount);
  const out: ActivityRows = emptyActivityRows();

  // Payments: the open customer invoices a seeded hash picks, paid in full today.
  const open = await db.query<{
    id: number;
    name: string;
    partner_id: number;
    currency_id: number;
    company_id: number;
    residual: string;
    line_id: number;
    line_residual: string;
  }>(
    `SELECT m.id, m.name, m.partner_id, m.currency_id, m.company_id, m.amount_residual::text AS residual,
            l.id AS line_id, l.amount_residual::text AS line_residual
       FROM account_move m
       JOIN account_move_line l ON l.move_id = m.id AND l.display_type = 'payment_term'
      WHERE m.move_type = 'out_invoice' AND m.state = 'posted' AND m.payment_state = 'not_paid'
      ORDER BY md5(m.id::text || $1), m.id
      LIMIT $2`,
    [String(seed), payCount],
  );
  const updates: { table: OdooTable; id: number; row: OdooRow }[] = [];
  for (const invoice of open) {
    const company = context.companies.find((candidate) => candidate.id === invoice.company_id);
    if (!company) continue;
    const cents = Math.round(Number(invoice.residual) * 100);
    const payment = buildPayment(
      context,
      random,
      company,
      {
        moveId: invoice.id,
        name: invoice.name,
        moveType: "out_invoice",
        partnerId: invoice.partner_id,
        currencyId: invoice.currency_id,
        totalCents: cents,
        totalCompanyCents: Math.round(Number(invoice.line_residual) * 100),
      },
      atMicros,
      cents,
    );
    out.account_move.push(payment.move);
    out.account_move_line.push(...payment.lines);
    const move: OdooRow = {};
    const line: OdooRow = {};
    applyReconciliation(
      move,
      line,
      { ...payment.reconciliation, writeDate: at, writeUid: user },
      1,
    );
    updates.push({ table: "account_move", id: invoice.id, row: move });
    updates.push({ table: "account_move_line", id: invoice.line_id, row: line });
    result.paidInvoices.push(invoice.id);
    result.changed.account_move_line.push(invoice.line_id);
  }

  // Cancelled drafts: the move and all its lines change state.
  const drafts = await db.query<{ id: number }>(
    `SELECT id FROM account_move WHERE state = 'draft' ORDER BY md5(id::text || $1), id LIMIT $2`,
    [String(seed), cancelCount],
  );
  for (const { id } of drafts) {
    updates.push({
      table: "account_move",
      id,
      row: { state: "cancel", write_date: at, write_uid: user },
    });
    result.cancelledMoves.push(id);
  }

  // Partners: new billing e-mail and phone.
  const partners = await db.query<{ id: number }>(
    `SELECT id FROM res_partner WHERE customer_rank > 0 ORDER BY md5(id::text || $1), id LIMIT $2`,
    [String(seed), partnerCount],
  );
  for (const { id } of partners) {
    updates.push({
      table: "res_partner",
      id,
      row: {
        email: `accounts.${random.int(100, 999)}@partner-${id}.example`,
        phone: `+32 ${random.int(400, 499)} ${random.int(100_000, 999_999)}`,
        write_date: at,
        write_uid: user,
      },
    });
    result.changed.res_partner.push(id);
  }

  // New documents, one second apart after the updates; none is paid yet.
  for (let index = 0; index < newCount; index += 1) {
    const before = out.account_move.length;
    buildActivity(
      context,
      random,
      atMicros + (index + 1) * MICROS.second,
      { endMicros: atMicros, recent: new Map() },
      out,
    );
    for (const move of out.account_move.slice(before)) result.newMoves.push(move.id as number);
  }

  for (const { table, rows } of activityBatch(out)) {
    await db.copyIn(table, ODOO_TABLE_COLUMNS[table], toCopyText(rows, ODOO_TABLE_COLUMNS[table]));
    const ids = result.changed[table as keyof MutateOdooResult["changed"]];
    for (const row of rows) ids.push(row.id as number);
  }
  for (const { table, id, row } of updates) {
    const columns = Object.keys(row);
    await db.query(
      // Timestamps go in as text: postgres.js would pass them through a local-time Date.
      `UPDATE ${table} SET ${columns
        .map(
          (column, index) =>
            `${column} = $${index + 2}${column === "write_date" ? "::text::timestamp" : ""}`,
        )
        .join(", ")} WHERE id = $1`,
      [id, ...columns.map((column) => row[column])],
    );
    if (table === "account_move") result.changed.account_move.push(id);
  }
  if (drafts.length > 0) {
    const lines = await db.query<{ id: number }>(
      `UPDATE account_move_line SET parent_state = 'cancel', write_date = $1::text::timestamp, write_uid = $2
        WHERE move_id = ANY($3::int4[]) RETURNING id`,
      [at, user, drafts.map((draft) => draft.id)],
    );
    result.changed.account_move_line.push(...lines.map((line) => line.id));
  }
  await resetSequences(db);
  for (const ids of Object.values(result.changed)) ids.sort((a, b) => a - b);
  return result;
}

async function startOfChanges(db: OdooDatabase, at: Date | string | undefined): Promise<number> {
  if (at !== undefined) {
    const ms = (at instanceof Date ? at : new Date(at)).getTime();
    if (Number.isNaN(ms)) throw new RangeError(`not a date: ${String(at)}`);
    return ms * MICROS.ms;
  }
  const [row] = await db.query<{ newest: string | null }>(
    `SELECT to_char(max(write_date), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS newest FROM account_move`,
  );
  const newest = row?.newest ? Date.parse(row.newest) : Date.parse("2024-01-01T00:00:00Z");
  return (newest + 3_600_000) * MICROS.ms;
}
