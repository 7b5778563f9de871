import { CreateRunRequestSchema, type Phase, type Run } from "@controlroom/contract";
import { describe, expect, it } from "vitest";
import {
  isControlRoomError,
  pinnedInputs,
  REBUILD_SPEC_SLUG,
  ROLLBACK_CAPABILITY,
  ROLLBACK_SPEC_SLUG,
  rebuildRunRequest,
  recordedTables,
  rollbackRunRequest,
} from "../src/index.js";

const RUN_ID = "01a21ab4-6e38-74a3-89b6-3bdf6853735f";
const bronze = { location: "bronze/shop/orders", version: 4 };

function phase(name: string, kind: Phase["kind"], depends_on: string[]): Phase {
  return {
    name,
    kind,
    depends_on,
    timeout_seconds: 600,
    retry: {
      max_attempts: 2,
      initial_interval_ms: 10,
      backoff_coefficient: 2,
      max_interval_ms: 100,
    },
    requires: ["shop"],
    params: {},
    status: "succeeded",
    attempt: 1,
    claimed_by: null,
    lease_expires_at: null,
    next_attempt_at: null,
    last_error: null,
    output: null,
    started_at: null,
    finished_at: null,
  };
}

/** A succeeded medallion run's record, as the control plane returns it. */
function medallionRun(overrides: Partial<Run> = {}): Run {
  const table = (location: string, version: number, sha: string) => ({
    kind: "table",
    format: "delta",
    sha256: sha.repeat(64),
    location,
    version,
    rows: 3,
  });
  return {
    run_id: RUN_ID,
    tenant_id: "default",
    spec_slug: "shop",
    git_sha: "c".repeat(40),
    environment: "stage",
    status: "succeeded",
    phases: [
      phase("ingest", "ingest", []),
      phase("validate", "validate", ["ingest"]),
      phase("silver", "transform", ["validate"]),
      phase("gold", "transform", ["silver"]),
      phase("publish", "publish", ["gold"]),
    ],
    input_manifest: {},
    output_manifest: {
      phases: {
        ingest: { "bronze.orders": { ...table(bronze.location, bronze.version, "b"), cursor: {} } },
        validate: { "validation-report.json": { sha256: "d".repeat(64), kind: "artifact" } },
        silver: {
          "silver.orders": { ...table("silver/shop/orders", 2, "e"), inputs: { orders: bronze } },
        },
        gold: { "gold.totals": table("gold/shop/totals", 5, "f") },
        publish: {
          "gold.totals": table("gold/shop/totals", 5, "f"),
          "gold/totals/query.sql": { sha256: "a".repeat(64), kind: "artifact" },
        },
      },
    },
    labels: {},
    cancel_requested: false,
    created_at: "2026-01-01T00:00:00.000Z",
    started_at: null,
    finished_at: null,
    ...overrides,
  };
}

function failsWith(action: () => unknown, message: RegExp): void {
  try {
    action();
  } catch (error) {
    expect(isControlRoomError(error) && error.code).toBe("validation_failed");
    expect((error as Error).message).toMatch(message);
    return;
  }
  throw new Error("expected a validation_failed error");
}

describe("recordedTables and pinnedInputs", () => {
  it("reads the silver and gold tables once each, and the inputs silver read", () => {
    const run = medallionRun();
    expect(recordedTables(run)).toEqual([
      {
        name: "gold.totals",
        location: "gold/shop/totals",
        version: 5,
        sha256: "f".repeat(64),
        rows: 3,
      },
      {
        name: "silver.orders",
        location: "silver/shop/orders",
        version: 2,
        sha256: "e".repeat(64),
        rows: 3,
      },
    ]);
    expect(pinnedInputs(run)).toEqual({ orders: bronze });
  });

  it("refuses a run that has not succeeded", () => {
    failsWith(() => recordedTables(medallionRun({ status: "failed" })), /is failed/);
  });
});

describe("rollbackRunRequest", () => {
  it("builds a self-describing controlroom/rollback run of every silver and gold table", () => {
    const body = rollbackRunRequest(medallionRun());
    expect(CreateRunRequestSchema.safeParse(body).success).toBe(true);
    expect(body).toMatchObject({
      spec_slug: ROLLBACK_SPEC_SLUG,
      git_sha: "c".repeat(40),
      environment: "stage",
      labels: { rollback_of_run: RUN_ID },
      input_manifest: { rollback_of_run: RUN_ID, rollback_of_spec: "shop" },
    });
    expect(body.phases).toHaveLength(1);
    expect(body.phases[0]).toMatchObject({
      name: "restore",
      requires: [ROLLBACK_CAPABILITY],
      params: { rollback_of_run: RUN_ID, dry_run: false },
    });
    const tables = body.phases[0]?.params?.tables as { name: string; version: number }[];
    expect(tables.map((t) => [t.name, t.version])).toEqual([
      ["gold.totals", 5],
      ["silver.orders", 2],
    ]);
  });

  it("selects tables by full or bare name and refuses unknown ones", () => {
    const body = rollbackRunRequest(medallionRun(), { tables: ["totals"], dry_run: true });
    const tables = body.phases[0]?.params?.tables as { name: string }[];
    expect(tables.map((t) => t.name)).toEqual(["gold.totals"]);
    expect(body.phases[0]?.params?.dry_run).toBe(true);
    expect(body.labels).toMatchObject({ dry_run: "true" });
    failsWith(
      () => rollbackRunRequest(medallionRun(), { tables: ["bronze.orders"] }),
      /published no table "bronze.orders"/,
    );
  });
});

describe("rebuildRunRequest", () => {
  it("re-runs every phase after ingest at the same sha, pinned, under a rebuild capability, then verify", () => {
    const body = rebuildRunRequest(medallionRun());
    expect(CreateRunRequestSchema.safeParse(body).success).toBe(true);
    expect(body).toMatchObject({
      spec_slug: REBUILD_SPEC_SLUG,
      git_sha: "c".repeat(40),
      environment: "stage",
      input_manifest: { rebuild_of_run: RUN_ID, inputs: { orders: bronze } },
    });
    expect(body.phases.map((p) => [p.name, p.depends_on])).toEqual([
      ["validate", []],
      ["silver", ["validate"]],
      ["gold", ["silver"]],
      ["publish", ["gold"]],
      ["verify", ["validate", "silver", "gold", "publish"]],
    ]);
    expect(body.phases.every((p) => p.requires?.join() === "shop-rebuild")).toBe(true);
    expect(body.phases[0]?.params).toEqual({ inputs: { orders: bronze } });
    expect(body.phases[1]?.timeout_seconds).toBe(600);
    expect(body.phases[4]?.params).toMatchObject({ rebuild_of_run: RUN_ID });
    expect(body.phases[4]?.params?.outputs).toHaveLength(2);
  });
});
