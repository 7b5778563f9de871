import { assertValidOpenLineageEvent } from "@controlroom/test-openlineage";
import { describe, expect, it } from "vitest";
import type { OpenLineageRunEvent } from "../../src/lineage/openlineage-event.js";
import { defineMedallionExecutor } from "../../src/medallion/index.js";
import type { MedallionSource } from "../../src/medallion/medallion-config.js";
import type { Lakehouse } from "../../src/ports/lakehouse.js";
import type { SqlEngine } from "../../src/ports/sql-engine.js";
import { runPhase } from "../../src/testing/run-phase.js";

// The medallion template reports what each phase read and wrote from its own outputs;
// a fake lakehouse stands in for Delta (the Odoo demo's test covers the real one).
const executor = defineMedallionExecutor({
  id: "shop",
  version: "1.0.0",
  streams: [{ name: "orders", primaryKey: ["id"], cursorFields: ["write_date", "id"] }],
  silver: [{ name: "orders", sql: "SELECT * FROM current_orders" }],
  gold: [
    { name: "totals", sql: "SELECT count(*) AS n FROM silver_orders" },
    { name: "by_day", sql: "SELECT 1 AS day, 2 AS n" },
  ],
});

const run = { run_id: "0196f5c4-7a1e-7c3d-9b2a-4e8f1d2c3b4a", spec_slug: "shop" };

function fakeLakehouse() {
  const versions = new Map<string, number>([["silver/shop/orders", 4]]);
  const snapshots: string[] = [];
  const engine = {
    dialect: "duckdb",
    query: async () => ({ columns: [], rows: [{ n: 3 }] }),
  } as unknown as SqlEngine;
  const lake: Lakehouse = {
    format: "delta",
    dialect: "duckdb",
    uri: (location) => `file:///lake/${location}`,
    async snapshot(ref) {
      snapshots.push(`${ref.location}@${ref.version}`);
      return {
        version: ref.version ?? versions.get(ref.location) ?? 0,
        schema: { fields: [{ name: "n", type: "long", nullable: true }] },
        partitionColumns: [],
        files: [],
        properties: {},
      };
    },
    history: async () => [],
    appendRows: async (location) => ({ location, version: 0, rowCount: 0 }),
    async session(_views, work) {
      return work({
        engine,
        async writeQuery(location) {
          const version = (versions.get(location) ?? -1) + 1;
          versions.set(location, version);
          return { location, version, rowCount: 3 };
        },
      });
    },
    contentHash: async (ref) => ({
      sha256: "c".repeat(64),
      rowCount: 3,
      version: ref.version ?? 0,
    }),
  };
  return { lake, snapshots };
}

const silverOutput = {
  inputs: { orders: { location: "bronze/shop/orders", version: 7 } },
  tables: {
    orders: { location: "silver/shop/orders", version: 4, rows: 10, sha256: "a".repeat(64) },
  },
};

function last(events: OpenLineageRunEvent[]): OpenLineageRunEvent {
  for (const event of events) assertValidOpenLineageEvent(event);
  return events.at(-1) as OpenLineageRunEvent;
}

describe("medallion lineage", () => {
  it("gold: the silver versions it read, the gold versions it wrote with their row counts", async () => {
    const { lake } = fakeLakehouse();
    const result = await runPhase(executor, "gold", {
      run,
      upstream: { silver: silverOutput },
      adapters: { lakehouse: lake },
      lineage: true,
    });
    expect(result.status).toBe("succeeded");
    const complete = last(result.lineage);
    expect(complete.eventType).toBe("COMPLETE");
    expect(complete.job.name).toBe("shop.gold");
    expect(complete.inputs).toMatchObject([
      {
        namespace: "file",
        name: "/lake/silver/shop/orders",
        facets: {
          version: { datasetVersion: "4" },
          schema: { fields: [{ name: "n", type: "long" }] },
        },
      },
    ]);
    expect(complete.outputs).toMatchObject([
      {
        namespace: "file",
        name: "/lake/gold/shop/totals",
        facets: { version: { datasetVersion: "0" }, storage: { storageLayer: "delta" } },
        outputFacets: { outputStatistics: { rowCount: 3 } },
      },
      {
        name: "/lake/gold/shop/by_day",
        outputFacets: { outputStatistics: { rowCount: 3 } },
      },
    ]);
  });

  it("publish: the gold versions as inputs; silver: bronze in, silver out", async () => {
    const { lake } = fakeLakehouse();
    const gold = {
      inputs: { silver_orders: { location: "silver/shop/orders", version: 4 } },
      tables: {
        totals: { location: "gold/shop/totals", version: 2, rows: 1, sha256: "b".repeat(64) },
        by_day: { location: "gold/shop/by_day", version: 5, rows: 1, sha256: "d".repeat(64) },
      },
    };
    const publish = await runPhase(executor, "publish", {
      run,
      upstream: { gold },
      adapters: { lakehouse: lake },
      lineage: true,
    });
    expect(publish.status).toBe("succeeded");
    const published = last(publish.lineage);
    expect(published.inputs.map((i) => [i.name, i.facets?.version?.datasetVersion])).toEqual([
      ["/lake/gold/shop/totals", "2"],
      ["/lake/gold/shop/by_day", "5"],
    ]);
    expect(published.outputs).toEqual([]);
    // START is emitted before the phase reads anything; the inputs show from RUNNING on.
    expect(publish.lineage[0]?.inputs).toEqual([]);

    const silver = await runPhase(executor, "silver", {
      run,
      upstream: { validate: { inputs: silverOutput.inputs, checks: {} } },
      adapters: { lakehouse: lake },
      lineage: true,
    });
    expect(silver.status).toBe("succeeded");
    const written = last(silver.lineage);
    expect(written.inputs.map((i) => [i.name, i.facets?.version?.datasetVersion])).toEqual([
      ["/lake/bronze/shop/orders", "7"],
    ]);
    expect(written.outputs.map((o) => [o.name, o.facets?.version?.datasetVersion])).toEqual([
      ["/lake/silver/shop/orders", "5"],
    ]);
  });

  it("ingest: the source streams with their columns and rows read, the bronze tables appended", async () => {
    const { lake } = fakeLakehouse();
    const source = {
      name: "shopdb",
      datasetName: (stream: string) => ({
        namespace: "postgres://db:5432",
        name: `shop.public.${stream}`,
      }),
      streams: async () => [],
      tableSchema: async () => ({
        fields: [
          { name: "id", type: "long", nullable: false },
          { name: "write_date", type: "string", nullable: false },
        ],
      }),
      highWaterMark: async () => ({ write_date: "2026-01-02", id: 2 }),
      async *read() {
        yield {
          rows: [
            { id: 1, write_date: "2026-01-01" },
            { id: 2, write_date: "2026-01-02" },
          ],
          cursor: { write_date: "2026-01-02", id: 2 },
        };
      },
    } satisfies MedallionSource;
    const appending: Lakehouse = {
      ...lake,
      snapshot: async (ref) => (ref.version === undefined ? undefined : lake.snapshot(ref)),
      async appendRows(location, batches) {
        let rowCount = 0;
        for await (const batch of batches) rowCount += batch.length;
        return { location, version: 0, rowCount };
      },
    };
    const result = await runPhase(executor, "ingest", {
      run,
      adapters: { lakehouse: appending, source },
      lineage: true,
    });
    expect(result.status).toBe("succeeded");
    const complete = last(result.lineage);
    expect(complete.inputs).toMatchObject([
      {
        namespace: "postgres://db:5432",
        name: "shop.public.orders",
        facets: { schema: { fields: [{ name: "id", type: "long" }, { name: "write_date" }] } },
        inputFacets: { inputStatistics: { rowCount: 2 } },
      },
    ]);
    expect(complete.outputs).toMatchObject([
      {
        namespace: "file",
        name: "/lake/bronze/shop/orders",
        facets: { version: { datasetVersion: "0" } },
        outputFacets: { outputStatistics: { rowCount: 2 } },
      },
    ]);
  });

  it("validate: the bronze versions it checked, each read once", async () => {
    const { lake, snapshots } = fakeLakehouse();
    const ingest = {
      streams: {
        orders: {
          location: "bronze/shop/orders",
          version: 7,
          rows: 2,
          previous_cursor: null,
          cursor: { id: 2 },
          status: "ingested",
          drift: [],
        },
      },
    };
    const result = await runPhase(executor, "validate", {
      run,
      upstream: { ingest },
      adapters: { lakehouse: lake },
      lineage: true,
    });
    expect(result.status).toBe("succeeded");
    const complete = last(result.lineage);
    expect(complete.inputs.map((i) => [i.name, i.facets?.version?.datasetVersion])).toEqual([
      ["/lake/bronze/shop/orders", "7"],
    ]);
    expect(complete.outputs).toEqual([]);
    // One read for lineage, the rest the phase's own.
    const before = snapshots.filter((s) => s === "bronze/shop/orders@7").length;
    const plain = fakeLakehouse();
    await runPhase(executor, "validate", {
      run,
      upstream: { ingest },
      adapters: { lakehouse: plain.lake },
    });
    expect(before - plain.snapshots.length).toBe(1);
  });

  it("reads nothing for lineage when the worker emits none", async () => {
    const { lake, snapshots } = fakeLakehouse();
    const result = await runPhase(executor, "gold", {
      run,
      upstream: { silver: silverOutput },
      adapters: { lakehouse: lake },
    });
    expect(result.status).toBe("succeeded");
    expect(result.lineage).toEqual([]);
    expect(snapshots).toEqual([]);
  });

  it("a FAIL still names the inputs the phase was given", async () => {
    const { lake } = fakeLakehouse();
    const broken: Lakehouse = {
      ...lake,
      session: async () => {
        throw new Error("engine crashed");
      },
    };
    const result = await runPhase(executor, "gold", {
      run,
      upstream: { silver: silverOutput },
      adapters: { lakehouse: broken },
      lineage: true,
    });
    expect(result.status).toBe("failed");
    const fail = last(result.lineage);
    expect(fail.eventType).toBe("FAIL");
    expect(fail.run.facets?.errorMessage).toMatchObject({ message: "engine crashed" });
    expect(fail.inputs.map((i) => i.name)).toEqual(["/lake/silver/shop/orders"]);
    expect(fail.outputs).toEqual([]);
  });
});
