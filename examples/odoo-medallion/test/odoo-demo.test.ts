import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDeltaTable } from "@controlroom/adapters/delta";
import { createLocalObjectStore } from "@controlroom/adapters/local";
import type { Event } from "@controlroom/contract";
import { afterAll, describe, expect, it } from "vitest";
import { openOdooSourceDatabase } from "../src/demo/open-odoo-source-database.js";
import { type OdooDemoResult, runOdooDemo } from "../src/demo/run-odoo-demo.js";

// The demo end to end, as `controlroom demo` runs it: every part embedded and real
// (PGlite Odoo source and control plane, local Delta lake, DuckDB).
const GIT_SHA = "c0ffee".padEnd(40, "0");
const ROWS = 2_000;
const dirs: string[] = [];

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "controlroom-demo-test-"));
  dirs.push(dir);
  return dir;
}

async function demo(dataDir: string, options: { mutate?: number; events?: Event[] } = {}) {
  return runOdooDemo({
    dataDir,
    rows: ROWS,
    seed: 7,
    gitSha: GIT_SHA,
    mutate: options.mutate,
    onEvent: (event) => options.events?.push(event),
  });
}

/** Changes the seeded Odoo database of `dataDir` directly, the way a user's edit would. */
async function editSource(dataDir: string, sql: string): Promise<Record<string, unknown>[]> {
  const odoo = await openOdooSourceDatabase(join(dataDir, "odoo"), { seed: 7, rows: ROWS });
  try {
    return (await odoo.pglite.query<Record<string, unknown>>(sql)).rows;
  } finally {
    await odoo.close();
  }
}

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("the Odoo demo", () => {
  let first: OdooDemoResult;
  let firstDir: string;

  it("runs every phase to success and publishes the gold tables", {
    timeout: 300_000,
  }, async () => {
    firstDir = await freshDir();
    const events: Event[] = [];
    first = await demo(firstDir, { events });
    expect(first.error).toBeNull();
    expect(first.status).toBe("succeeded");
    expect(first.output_manifest_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(first.gold.map((t) => t.name).sort()).toEqual([
      "ar_ageing",
      "gl_balance_by_account_month",
      "open_invoices",
      "revenue_by_month_customer",
    ]);
    // Every gold table reads back from the lake with the rows the summary reports.
    const store = createLocalObjectStore({ root: join(firstDir, "lake") });
    for (const table of first.gold) {
      expect(table.uri.startsWith("file://")).toBe(true);
      const delta = openDeltaTable({ store, location: table.location });
      const { rows } = await delta.readRows({ version: table.version });
      expect(rows.length).toBe(table.rows);
      expect(table.rows).toBeGreaterThan(0);
      await delta.close();
    }
    // The trail: freshness per stream, each phase started and succeeded in order.
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === "SOURCE_FRESHNESS").length).toBe(12);
    const succeeded = events.filter((e) => e.type === "PHASE_SUCCEEDED").map((e) => e.phase);
    expect(succeeded).toEqual(["ingest", "validate", "silver", "gold", "publish"]);
    expect(types.at(-1)).toBe("RUN_SUCCEEDED");
    // Publish linked a query, a result manifest and a preview per gold table.
    const publish = first.output_manifest?.phases as Record<string, Record<string, unknown>>;
    for (const table of first.gold) {
      expect(Object.keys(publish.publish ?? {})).toEqual(
        expect.arrayContaining([
          `gold.${table.name}`,
          `gold/${table.name}/query.sql`,
          `gold/${table.name}/result-manifest.json`,
          `gold/${table.name}/preview.json`,
        ]),
      );
    }
  });

  it("rebuilds from scratch to the identical output manifest hash", {
    timeout: 300_000,
  }, async () => {
    const again = await demo(await freshDir());
    expect(again.status).toBe("succeeded");
    expect(again.run_id).not.toBe(first.run_id);
    expect(again.output_manifest_sha256).toBe(first.output_manifest_sha256);
  });

  it("gives another hash when one source row changed", { timeout: 300_000 }, async () => {
    const other = await freshDir();
    await editSource(other, "SELECT 1"); // seeds the same source as the first run's
    const [line] = await editSource(
      other,
      `UPDATE account_move_line SET name = name || ' (edited)'
        WHERE id = (SELECT min(id) FROM account_move_line) RETURNING id`,
    );
    expect(line?.id).toBeDefined();
    const changed = await demo(other);
    expect(changed.status).toBe("succeeded");
    expect(changed.output_manifest_sha256).not.toBe(first.output_manifest_sha256);
  });

  it("ingests only what changed on the next run after --mutate", { timeout: 300_000 }, async () => {
    const next = await demo(firstDir, { mutate: 20 });
    expect(next.status).toBe("succeeded");
    const ingested = Object.values(next.ingested).reduce((sum, rows) => sum + rows, 0);
    expect(next.source.changed).toBeGreaterThan(0);
    expect(ingested).toBe(next.source.changed);
    // Unchanged streams appended nothing.
    expect(next.ingested.res_currency).toBe(0);
    expect(next.ingested.account_account).toBe(0);
    expect(next.output_manifest_sha256).not.toBe(first.output_manifest_sha256);
  });

  it("fails validate, naming the unbalanced move, and publishes nothing", {
    timeout: 300_000,
  }, async () => {
    const dir = await freshDir();
    await editSource(dir, "SELECT 1");
    const [broken] = await editSource(
      dir,
      `UPDATE account_move_line SET debit = debit + 1, balance = balance + 1
        WHERE id = (SELECT min(l.id) FROM account_move_line l JOIN account_move m ON m.id = l.move_id
                     WHERE m.state = 'posted' AND l.debit > 0)
        RETURNING move_id`,
    );
    const events: Event[] = [];
    const result = await demo(dir, { events });
    expect(result.status).toBe("failed");
    expect(result.error?.phase).toBe("validate");
    expect(result.gold).toEqual([]);
    const failure = events.find(
      (e) =>
        e.type === "VALIDATION_FAILED" &&
        JSON.stringify(e.payload).includes(String(broken?.move_id)),
    );
    expect(failure, "a VALIDATION_FAILED event naming the move").toBeDefined();
    expect(events.filter((e) => e.type === "PHASE_SKIPPED").map((e) => e.phase)).toEqual([
      "silver",
      "gold",
      "publish",
    ]);
  });
});
