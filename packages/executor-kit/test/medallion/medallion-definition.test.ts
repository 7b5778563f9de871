import { describe, expect, it } from "vitest";
import { isExecutorKitError } from "../../src/errors/executor-kit-error.js";
import { currentViewSql } from "../../src/medallion/current-view-sql.js";
import {
  defineMedallionExecutor,
  MEDALLION_PHASES,
  medallionPhases,
} from "../../src/medallion/index.js";
import { compareColumns, driftActions } from "../../src/medallion/schema-drift.js";

const base = {
  id: "shop",
  version: "1.0.0",
  streams: [{ name: "orders", primaryKey: ["id"], cursorFields: ["write_date", "id"] }],
  silver: [{ name: "orders", sql: "SELECT * FROM current_orders" }],
  gold: [{ name: "totals", sql: "SELECT count(*) AS n FROM silver_orders" }],
};

function definitionError(config: object): string {
  try {
    defineMedallionExecutor({ ...base, ...config } as never);
  } catch (error) {
    if (isExecutorKitError(error) && error.code === "invalid_definition") return error.message;
    throw error;
  }
  throw new Error("expected an invalid_definition error");
}

describe("defineMedallionExecutor", () => {
  it("defines the five phases, each requiring the pipeline's capability", () => {
    const executor = defineMedallionExecutor(base);
    expect(Object.keys(executor.phases)).toEqual([...MEDALLION_PHASES]);
    expect(executor.capabilities).toEqual(["shop"]);
    expect(executor.phases.ingest.kind).toBe("ingest");
    expect(executor.phases.validate.kind).toBe("validate");
    expect(executor.phases.publish.kind).toBe("publish");
    const phases = medallionPhases(executor);
    expect(phases.map((p) => [p.name, p.depends_on ?? []])).toEqual([
      ["ingest", []],
      ["validate", ["ingest"]],
      ["silver", ["validate"]],
      ["gold", ["silver"]],
      ["publish", ["gold"]],
    ]);
    expect(phases.every((p) => p.requires?.[0] === "shop")).toBe(true);
  });

  it("rejects names that would collide or are not SQL-safe, naming them", () => {
    expect(definitionError({ gold: [] })).toMatch(/at least one gold table/);
    expect(definitionError({ streams: [] })).toMatch(/at least one stream/);
    expect(
      definitionError({
        silver: [
          { name: "orders", sql: "SELECT 1" },
          { name: "orders", sql: "SELECT 2" },
        ],
      }),
    ).toMatch(/silver table name "orders" is used twice/);
    expect(definitionError({ gold: [{ name: "Totals; DROP", sql: "SELECT 1" }] })).toMatch(
      /gold table name "Totals; DROP"/,
    );
    expect(
      definitionError({ streams: [{ name: "orders", primaryKey: [], cursorFields: ["id"] }] }),
    ).toMatch(/needs a primaryKey/);
    expect(definitionError({ previewRows: -1 })).toMatch(/previewRows/);
    for (const modelConcurrency of [0, 1.5, Number.NaN]) {
      expect(definitionError({ modelConcurrency })).toMatch(/modelConcurrency must be a positive/);
    }
  });
});

describe("currentViewSql", () => {
  it("keeps the newest row per key by the cursor fields, source columns only", () => {
    const sql = currentViewSql(base.streams[0] as never, "bronze_orders", [
      "id",
      "write_date",
      "total",
    ]);
    expect(sql).toBe(
      'SELECT "id", "write_date", "total" FROM (SELECT "id", "write_date", "total", row_number() OVER ' +
        '(PARTITION BY "id" ORDER BY "write_date" DESC, "id" DESC, "_ingested_at" DESC) AS "__controlroom_rank" ' +
        'FROM "bronze_orders") AS ranked WHERE "__controlroom_rank" = 1',
    );
  });
});

describe("schema drift", () => {
  const bronze = [
    { name: "id", type: "long", nullable: false },
    { name: "total", type: "string", nullable: true },
    { name: "note", type: "string", nullable: true },
  ];
  it("lists added, removed and retyped columns and applies the policy", () => {
    const source = [
      { name: "id", type: "long", nullable: false },
      { name: "total", type: "double", nullable: true },
      { name: "channel", type: "string", nullable: true },
    ];
    const drift = compareColumns(bronze, source);
    expect(drift).toEqual({
      added: [{ name: "channel", type: "string" }],
      removed: [{ name: "note", type: "string" }],
      retyped: [{ name: "total", from: "string", to: "double" }],
    });
    expect(driftActions(drift, { added: "warn", removed: "fail", retyped: "ignore" })).toEqual([
      { kind: "added", action: "warn", columns: ["channel"] },
      { kind: "removed", action: "fail", columns: ["note"] },
      { kind: "retyped", action: "ignore", columns: ["total"] },
    ]);
    expect(
      driftActions(compareColumns(bronze, bronze), {
        added: "fail",
        removed: "fail",
        retyped: "fail",
      }),
    ).toEqual([]);
  });
});
