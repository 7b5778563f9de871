import { describe, expect, it } from "vitest";
import {
  applyDriftPolicy,
  detectSchemaDrift,
  hasSchemaDrift,
  type PostgresColumn,
  schemaDriftError,
  type TableSchemaSnapshot,
} from "../src/postgres/index.js";

const column = (
  name: string,
  dataType: string,
  ordinal: number,
  nullable = true,
): PostgresColumn => ({
  name,
  dataType,
  udtName: dataType,
  udtSchema: "pg_catalog",
  nullable,
  ordinal,
});
const snapshot = (columns: PostgresColumn[]): TableSchemaSnapshot => ({
  schema: "public",
  table: "account_move",
  columns,
  takenAt: "2026-01-01T00:00:00.000Z",
});

const before = snapshot([
  column("id", "integer", 1, false),
  column("name", "character varying", 2),
  column("amount_total", "numeric", 3),
]);

describe("schema drift", () => {
  it("finds nothing between equal snapshots, and ignores column order", () => {
    const reordered = snapshot([...before.columns].reverse());
    const drift = detectSchemaDrift(before, reordered);
    expect(hasSchemaDrift(drift)).toBe(false);
    expect(applyDriftPolicy(drift)).toEqual({ outcome: "ok", events: [] });
  });

  it("warns on added columns and fails on removed or retyped ones by default", () => {
    const after = snapshot([
      column("id", "integer", 1, false),
      column("name", "text", 2),
      column("ref", "character varying", 3),
    ]);
    const drift = detectSchemaDrift(before, after);
    expect(drift.added.map((c) => c.name)).toEqual(["ref"]);
    expect(drift.removed.map((c) => c.name)).toEqual(["amount_total"]);
    expect(drift.retyped).toEqual([{ name: "name", from: "character varying", to: "text" }]);
    const verdict = applyDriftPolicy(drift);
    expect(verdict.outcome).toBe("fail");
    expect(verdict.events.map((event) => [event.payload.kind, event.level])).toEqual([
      ["added", "warn"],
      ["removed", "error"],
      ["retyped", "error"],
    ]);
    const error = schemaDriftError(verdict);
    expect(error.code).toBe("POSTGRES_SCHEMA_DRIFT");
    expect(error.message).toContain("removed column amount_total");
  });

  it("lets the caller downgrade or ignore kinds", () => {
    const after = snapshot([...before.columns, column("ref", "character varying", 4)]);
    const drift = detectSchemaDrift(before, after);
    expect(applyDriftPolicy(drift, { added: "ignore" })).toEqual({ outcome: "ok", events: [] });
    expect(applyDriftPolicy(drift, { added: "fail" }).outcome).toBe("fail");
    expect(applyDriftPolicy(drift).outcome).toBe("warn");
  });
});
