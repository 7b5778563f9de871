import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { isExecutorKitError } from "../errors/executor-kit-error.js";
import { buildPhaseSpec } from "./build-phase-spec.js";
import { defineExecutor } from "./define-executor.js";
import { type PhaseOutput, type PhaseParams, phase } from "./phase.js";

describe("defineExecutor", () => {
  const executor = defineExecutor({
    id: "typed",
    version: "2.0.0",
    capabilities: ["duckdb"],
    phases: {
      load: phase({
        input: z.object({ table: z.string(), limit: z.number().default(10) }),
        output: z.object({ rows: z.number() }),
        timeoutMs: 90_500,
        retry: { max_attempts: 5 },
        kind: "ingest",
        requires: ["duckdb"],
        run: (ctx) => ({ rows: ctx.params.limit }),
      }),
      free: phase({ run: () => ({}) }),
    },
  });

  it("is inert and frozen", () => {
    expect(Object.isFrozen(executor)).toBe(true);
    expect(Object.isFrozen(executor.phases)).toBe(true);
    expect(executor.capabilities).toEqual(["duckdb"]);
    expect(Object.keys(executor.phases)).toEqual(["load", "free"]);
  });

  it("infers params and output types from the schemas", () => {
    expectTypeOf<PhaseParams<typeof executor.phases.load>>().toEqualTypeOf<{
      table: string;
      limit: number;
    }>();
    expectTypeOf<PhaseOutput<typeof executor.phases.load>>().toEqualTypeOf<{ rows: number }>();
  });

  it("rejects bad ids and phase names", () => {
    const bad = () =>
      defineExecutor({ id: "x", version: "1", phases: { "Bad Name": phase({ run: () => ({}) }) } });
    expect(bad).toThrow(/phase name "Bad Name"/);
    try {
      bad();
    } catch (error) {
      expect(isExecutorKitError(error) && error.code).toBe("invalid_definition");
    }
    expect(() => defineExecutor({ id: "", version: "1", phases: {} })).toThrow(/id/);
    expect(() => defineExecutor({ id: "x", version: "1", phases: {} })).toThrow(
      /at least one phase/,
    );
  });

  it("builds run-spec entries from phase definitions", () => {
    expect(buildPhaseSpec(executor, "load", { params: { table: "orders" } })).toEqual({
      name: "load",
      kind: "ingest",
      requires: ["duckdb"],
      params: { table: "orders" },
      timeout_seconds: 91,
      retry: {
        max_attempts: 5,
        initial_interval_ms: 1_000,
        backoff_coefficient: 2,
        max_interval_ms: 60_000,
      },
    });
    expect(buildPhaseSpec(executor, "free", { depends_on: [] })).toEqual({
      name: "free",
      kind: "custom",
      requires: [],
      params: {},
      depends_on: [],
    });
  });
});
