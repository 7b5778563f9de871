import {
  assertValidOpenLineageEvent,
  OPENLINEAGE_SCHEMA_ID,
  openLineageEventErrors,
} from "@controlroom/test-openlineage";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { defineExecutor } from "../../src/definition/define-executor.js";
import { phase } from "../../src/definition/phase.js";
import { NonRetryableError } from "../../src/errors/non-retryable-error.js";
import { lakehouseDataset } from "../../src/lineage/lakehouse-dataset.js";
import type { OpenLineageRunEvent } from "../../src/lineage/openlineage-event.js";
import { phaseRunId } from "../../src/lineage/phase-run-id.js";
import { runLineageEvent, runStatusLineageEventType } from "../../src/lineage/run-lineage-event.js";
import type { Lakehouse } from "../../src/ports/lakehouse.js";
import { runPhase } from "../../src/testing/run-phase.js";

const RUN_ID = "0196f5c4-7a1e-7c3d-9b2a-4e8f1d2c3b4a";
const run = { run_id: RUN_ID, spec_slug: "shop", git_sha: "b".repeat(40) };

/** A lakehouse that only names and describes tables. */
const lake = {
  format: "delta",
  uri: (location: string) => `s3://acme-lake/${location}`,
  snapshot: async (ref: { location: string; version?: number | undefined }) => ({
    version: ref.version ?? 9,
    schema: {
      fields: [
        { name: "id", type: "long", nullable: false },
        { name: "amount", type: "decimal(18,2)", nullable: true },
      ],
    },
    partitionColumns: [],
    files: [],
    properties: {},
  }),
} satisfies Pick<Lakehouse, "format" | "uri" | "snapshot">;

const executor = defineExecutor({
  id: "shop",
  version: "2.1.0",
  phases: {
    copy: phase({
      kind: "transform",
      async run(ctx) {
        expect(ctx.lineage.enabled).toBe(true);
        ctx.lineage.input({ namespace: "postgres://db:5432", name: "shop.public.orders" });
        ctx.progress(0.5, "halfway");
        const written = await lakehouseDataset(lake, { location: "silver/orders", version: 3 });
        ctx.lineage.output({
          ...written,
          outputFacets: { outputStatistics: { rowCount: 1200 } },
        });
        // Reported again: merged, the later facets winning.
        ctx.lineage.input({
          namespace: "postgres://db:5432",
          name: "shop.public.orders",
          inputFacets: { inputStatistics: { rowCount: 1200 } },
        });
        return { rows: 1200 };
      },
    }),
    broken: phase({
      async run(ctx) {
        const password = await ctx.secrets.get("DB_PASSWORD");
        ctx.lineage.input({ namespace: "postgres://db:5432", name: "shop.public.orders" });
        throw new Error(`login failed for ${password}`);
      },
    }),
    fatal: phase({
      run() {
        throw new NonRetryableError("no such table");
      },
    }),
    waits: phase({
      run: (ctx) =>
        new Promise((_resolve, reject) =>
          ctx.signal.addEventListener("abort", () => reject(new Error("stopped"))),
        ),
    }),
    sloppy: phase({
      run(ctx) {
        // Malformed reports are logged and left out; they never fail the phase.
        ctx.lineage.input({ namespace: "", name: "x" });
        ctx.lineage.output(undefined as never);
        ctx.lineage.output({
          namespace: "file",
          name: "/tmp/out.csv",
          facets: { mine: { size: 3 }, custom: { _schemaURL: "https://example.com/c.json#/x" } },
        });
        return {};
      },
    }),
    plain: phase({
      run(ctx) {
        expect(ctx.lineage.enabled).toBe(false);
        ctx.lineage.input({ namespace: "file", name: "/ignored" });
        return {};
      },
    }),
  },
});

function expectValid(events: OpenLineageRunEvent[]): void {
  for (const event of events) assertValidOpenLineageEvent(event);
}

describe("phase lineage (runPhase)", () => {
  it("emits START, RUNNING and COMPLETE with the reported datasets, valid against the official schema", async () => {
    const result = await runPhase(executor, "copy", { run, lineage: true });
    expect(result.status).toBe("succeeded");
    const events = result.lineage;
    expect(events.map((e) => e.eventType)).toEqual(["START", "RUNNING", "COMPLETE"]);
    expectValid(events);

    const runId = phaseRunId(RUN_ID, "copy", 1);
    for (const event of events) {
      expect(event.schemaURL).toBe(`${OPENLINEAGE_SCHEMA_ID}#/$defs/RunEvent`);
      expect(event.job).toMatchObject({ namespace: "controlroom", name: "shop.copy" });
      expect(event.job.facets?.jobType).toMatchObject({
        processingType: "BATCH",
        integration: "CONTROLROOM",
        jobType: "TASK",
      });
      expect(event.run.runId).toBe(runId);
      expect(event.run.facets?.parent).toMatchObject({
        run: { runId: RUN_ID },
        job: { namespace: "controlroom", name: "shop" },
        root: { run: { runId: RUN_ID }, job: { namespace: "controlroom", name: "shop" } },
      });
      expect(event.run.facets?.tags?.tags).toEqual(
        expect.arrayContaining([
          { key: "git_sha", value: "b".repeat(40), source: "CONTROLROOM" },
          { key: "environment", value: "dev", source: "CONTROLROOM" },
          { key: "attempt", value: "1", source: "CONTROLROOM" },
          { key: "executor", value: "shop@2.1.0", source: "CONTROLROOM" },
        ]),
      );
    }
    const [start, , complete] = events as [
      OpenLineageRunEvent,
      OpenLineageRunEvent,
      OpenLineageRunEvent,
    ];
    expect(start.inputs).toEqual([]);
    expect(start.outputs).toEqual([]);
    expect(Date.parse(complete.eventTime)).toBeGreaterThanOrEqual(Date.parse(start.eventTime));
    expect(complete.inputs).toEqual([
      {
        namespace: "postgres://db:5432",
        name: "shop.public.orders",
        inputFacets: {
          inputStatistics: {
            _producer: complete.producer,
            _schemaURL: expect.stringContaining("InputStatisticsInputDatasetFacet.json"),
            rowCount: 1200,
          },
        },
      },
    ]);
    expect(complete.outputs).toHaveLength(1);
    const output = complete.outputs[0];
    expect(output).toMatchObject({
      namespace: "s3://acme-lake",
      name: "silver/orders",
      facets: {
        schema: {
          fields: [
            { name: "id", type: "long" },
            { name: "amount", type: "decimal(18,2)" },
          ],
        },
        version: { datasetVersion: "3" },
        storage: { storageLayer: "delta", fileFormat: "parquet" },
        datasetType: { datasetType: "TABLE" },
      },
      outputFacets: { outputStatistics: { rowCount: 1200 } },
    });
  });

  it("emits FAIL with the error message (secrets redacted) and the datasets reported so far", async () => {
    const result = await runPhase(executor, "broken", {
      run,
      attempt: 2,
      secrets: { DB_PASSWORD: "hunter22-secret" },
      lineage: true,
    });
    expect(result.status).toBe("failed");
    expectValid(result.lineage);
    expect(result.lineage.map((e) => e.eventType)).toEqual(["START", "FAIL"]);
    const fail = result.lineage[1] as OpenLineageRunEvent;
    expect(fail.run.runId).toBe(phaseRunId(RUN_ID, "broken", 2));
    expect(fail.run.facets?.errorMessage).toMatchObject({
      message: "login failed for [REDACTED]",
      programmingLanguage: "JavaScript",
    });
    expect(JSON.stringify(result.lineage)).not.toContain("hunter22-secret");
    expect(fail.inputs.map((i) => i.name)).toEqual(["shop.public.orders"]);
    expect(fail.run.facets?.tags?.tags).toEqual(
      expect.arrayContaining([{ key: "retryable", value: "true", source: "CONTROLROOM" }]),
    );
  });

  it("emits FAIL for a NonRetryableError and a timeout, ABORT for a cancelled phase", async () => {
    const fatal = await runPhase(executor, "fatal", { run, lineage: true });
    expectValid(fatal.lineage);
    expect(fatal.lineage.at(-1)?.eventType).toBe("FAIL");
    expect(fatal.lineage.at(-1)?.run.facets?.tags?.tags).toEqual(
      expect.arrayContaining([{ key: "retryable", value: "false", source: "CONTROLROOM" }]),
    );

    const timedOut = await runPhase(executor, "waits", { run, lineage: true, timeoutMs: 30 });
    expectValid(timedOut.lineage);
    expect(timedOut.lineage.map((e) => e.eventType)).toEqual(["START", "FAIL"]);
    expect(timedOut.lineage[1]?.run.facets?.errorMessage?.message).toMatch(/timed out/);

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const cancelled = await runPhase(executor, "waits", {
      run,
      lineage: true,
      signal: controller.signal,
    });
    expect(cancelled.status).toBe("cancelled");
    expectValid(cancelled.lineage);
    expect(cancelled.lineage.map((e) => e.eventType)).toEqual(["START", "ABORT"]);
    expect(cancelled.lineage[1]?.run.facets?.tags?.tags).toEqual(
      expect.arrayContaining([{ key: "abort_reason", value: "cancelled", source: "CONTROLROOM" }]),
    );
  });

  it("emits START and FAIL for an unknown phase too", async () => {
    const result = await runPhase(executor, "nope" as "copy", { run, lineage: true });
    expectValid(result.lineage);
    expect(result.lineage.map((e) => e.eventType)).toEqual(["START", "FAIL"]);
    expect(result.lineage[0]?.job.name).toBe("shop.nope");
  });

  it("leaves out malformed datasets and facets it cannot complete, without failing the phase", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "warn" }, { write: (line: string) => lines.push(line) });
    const result = await runPhase(executor, "sloppy", { run, lineage: true, logger });
    expect(result.status).toBe("succeeded");
    const complete = result.lineage.at(-1) as OpenLineageRunEvent;
    expect(complete.inputs).toEqual([]);
    expect(complete.outputs).toHaveLength(1);
    // `mine` has no schema URL and is not standard: left out. `custom` carries its own,
    // so it stays; the official schema accepts it (our validator also insists on
    // standard facets, hence the one complaint).
    expect(Object.keys(complete.outputs[0]?.facets ?? {})).toEqual(["custom"]);
    expect(openLineageEventErrors(complete)).toEqual([
      "/outputs/0/facets/custom is not a standard OpenLineage dataset facet",
    ]);
    const warnings = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(warnings).toEqual([
      "ctx.lineage.input(): a dataset needs a namespace and a name; left out",
      "ctx.lineage.output(): a dataset needs a namespace and a name; left out",
      "ctx.lineage.output(): facets that are not standard need a _schemaURL; left out",
    ]);
  });

  it("is a no-op without the lineage option", async () => {
    const result = await runPhase(executor, "plain", { run });
    expect(result.status).toBe("succeeded");
    expect(result.lineage).toEqual([]);
  });

  it("maps non-UUID run ids to a stable UUID so events stay valid", async () => {
    const result = await runPhase(executor, "copy", {
      run: { run_id: "not-a-uuid", spec_slug: "shop" },
      lineage: true,
    });
    expectValid(result.lineage);
    const parent = result.lineage[0]?.run.facets?.parent as { run: { runId: string } };
    expect(parent.run.runId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sends through a configured transport and respects the namespace and RUNNING interval", async () => {
    const sent: OpenLineageRunEvent[] = [];
    const result = await runPhase(executor, "copy", {
      run,
      lineage: {
        transport: (event) => {
          sent.push(event);
        },
        namespace: "acme-prod",
        runningIntervalMs: Number.POSITIVE_INFINITY,
      },
    });
    expect(sent.map((e) => e.eventType)).toEqual(["START", "COMPLETE"]);
    expect(sent).toEqual(result.lineage);
    expectValid(sent);
    expect(sent[0]?.job.namespace).toBe("acme-prod");
    expect(sent[0]?.run.facets?.parent).toMatchObject({ job: { namespace: "acme-prod" } });
  });
});

describe("run-level events", () => {
  it("builds valid START and end events for a Control Room run", () => {
    const start = runLineageEvent({
      eventType: "START",
      run: { ...run, environment: "prod" },
      namespace: "acme",
    });
    const failed = runLineageEvent({
      eventType: runStatusLineageEventType("failed"),
      run,
      errorMessage: "phase gold failed",
    });
    expectValid([start, failed]);
    expect(start.run.runId).toBe(RUN_ID);
    expect(start.job).toMatchObject({ namespace: "acme", name: "shop" });
    expect(start.job.facets?.jobType).toMatchObject({ jobType: "DAG" });
    expect(failed.eventType).toBe("FAIL");
    expect(failed.run.facets?.errorMessage).toMatchObject({ message: "phase gold failed" });
    expect(runStatusLineageEventType("succeeded")).toBe("COMPLETE");
    expect(runStatusLineageEventType("cancelled")).toBe("ABORT");
  });

  it("the validator itself rejects what the schema forbids", () => {
    const start = runLineageEvent({ eventType: "START", run });
    expect(openLineageEventErrors(start)).toEqual([]);
    expect(openLineageEventErrors({ ...start, run: { runId: "nope" } })).not.toEqual([]);
    expect(openLineageEventErrors({ ...start, eventType: "DONE" })).not.toEqual([]);
    expect(
      openLineageEventErrors({
        ...start,
        run: { runId: RUN_ID, facets: { parent: { _producer: "x" } } },
      }),
    ).not.toEqual([]);
  });
});
