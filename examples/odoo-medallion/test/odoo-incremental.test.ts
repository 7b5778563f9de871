import { createPostgresSource, type PostgresSource } from "@controlroom/adapters/postgres";
import type { WriteDateIdCursor } from "@controlroom/executor-kit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mutateOdooDatabase, seedOdooDatabase } from "../src/odoo/index.js";
import { type OdooTestDatabase, odooDrivers } from "./odoo-test-db.js";

const STREAMS = [
  "res_partner",
  "sale_order",
  "sale_order_line",
  "account_move",
  "account_move_line",
] as const;

async function readIds(
  source: PostgresSource,
  stream: string,
  after?: WriteDateIdCursor,
): Promise<{ ids: number[]; cursor: WriteDateIdCursor | undefined }> {
  const ids: number[] = [];
  let cursor = after;
  for await (const batch of source.read(stream, { after, batchSize: 500 })) {
    ids.push(...batch.rows.map((row) => row.id as number));
    cursor = batch.cursor;
  }
  return { ids, cursor };
}

describe.each(odooDrivers())("incremental ingest of the Odoo database on $name", (driver) => {
  let handle: OdooTestDatabase;
  beforeEach(async (context) => {
    if (!driver.available) context.skip();
    handle = await driver.open();
    await seedOdooDatabase(handle.db, { seed: 21, rows: 3_000 });
  });
  afterEach(async () => {
    await handle?.close();
  });

  it("reads everything once, then after a mutation exactly the changed rows", async () => {
    const source = createPostgresSource({ connection: handle.client, tables: [...STREAMS] });
    const cursors = new Map<string, WriteDateIdCursor | undefined>();
    for (const stream of STREAMS) {
      const { ids, cursor } = await readIds(source, stream);
      const [count] = await handle.db.query<{ n: number | string }>(
        `SELECT count(*) AS n FROM ${stream}`,
      );
      expect(ids.length, stream).toBe(Number(count?.n));
      expect(new Set(ids).size, stream).toBe(ids.length);
      cursors.set(stream, cursor);
    }
    const result = await mutateOdooDatabase(handle.db, { seed: 3, changes: 40 });
    expect(result.paidInvoices.length).toBeGreaterThan(0);
    expect(result.newMoves.length).toBeGreaterThan(0);
    for (const stream of STREAMS) {
      const { ids } = await readIds(source, stream, cursors.get(stream));
      expect(
        [...ids].sort((a, b) => a - b),
        stream,
      ).toEqual(result.changed[stream]);
    }
    // Freshness: the newest change is the mutation's last new document.
    const freshness = await source.freshness("account_move");
    expect(freshness.newest! >= result.at).toBe(true);
    expect(freshness.lagMs).toBeGreaterThan(0);
  });

  it("with an overlap window re-reads recent rows too; de-duplicated by id nothing is lost", async () => {
    const source = createPostgresSource({
      connection: handle.client,
      tables: ["account_move"],
      overlapMs: 3 * 86_400_000,
    });
    const first = await readIds(source, "account_move");
    const result = await mutateOdooDatabase(handle.db, { seed: 4, changes: 30 });
    const second = await readIds(source, "account_move", first.cursor);
    const unique = new Set(second.ids);
    expect(unique.size).toBe(second.ids.length);
    for (const id of result.changed.account_move) expect(unique.has(id)).toBe(true);
    const overlap = second.ids.filter((id) => !result.changed.account_move.includes(id));
    expect(overlap.length).toBeGreaterThan(0);
    // The extra rows are exactly those written in the window before the old cursor.
    const [window] = await handle.db.query<{ n: number | string }>(
      `SELECT count(*) AS n FROM account_move
        WHERE write_date >= $1::text::timestamp - interval '3 days' AND (write_date, id) <= ($1::text::timestamp, $2::int4)
          AND NOT (id = ANY($3::int4[]))`,
      [first.cursor?.write_date, first.cursor?.id, result.changed.account_move],
    );
    expect(overlap.length).toBe(Number(window?.n));
  });
});
