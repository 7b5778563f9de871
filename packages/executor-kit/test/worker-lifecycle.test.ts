import { describe, expect, it } from "vitest";
import { z } from "zod";
import { buildPhaseSpec } from "../src/definition/build-phase-spec.js";
import { defineExecutor } from "../src/definition/define-executor.js";
import { phase } from "../src/definition/phase.js";
import { createMemoryObjectStore } from "../src/stores/memory-object-store.js";
import {
  allEvents,
  createRun,
  startWorker,
  uniqueCapability,
  useTestControlPlane,
  waitForRun,
} from "./helpers/integration.js";

const cp = useTestControlPlane();

describe("runWorker against the embedded control plane", () => {
  it("completes a three-phase run with a complete, ordered event trail", async () => {
    const cap = uniqueCapability();
    const executor = defineExecutor({
      id: "three",
      version: "1.0.0",
      capabilities: [cap],
      phases: {
        extract: phase({
          input: z.object({ rows: z.number() }),
          output: z.object({ rows: z.number() }),
          requires: [cap],
          kind: "ingest",
          async run(ctx) {
            ctx.log.info("extracting", { rows: ctx.params.rows });
            ctx.progress(0.5, "halfway");
            await ctx.artifacts.put("rows.csv", "a\n1\n2\n3\n", "text/csv");
            return { rows: ctx.params.rows };
          },
        }),
        transform: phase({
          requires: [cap],
          run: (ctx) => ({ rows: Number(ctx.upstream.extract?.rows) * 2 }),
        }),
        load: phase({
          requires: [cap],
          run: (ctx) => ({ loaded: ctx.upstream.transform?.rows, input: ctx.input_manifest }),
        }),
      },
    });
    const worker = startWorker(executor, {
      client: cp().createClient("executor"),
      concurrency: 2,
      artifactStore: createMemoryObjectStore(),
    });
    const created = await createRun(cp().client, [
      buildPhaseSpec(executor, "extract", { params: { rows: 3 } }),
      buildPhaseSpec(executor, "transform"),
      buildPhaseSpec(executor, "load"),
    ]);
    const run = await waitForRun(cp().client, created.run_id);
    const summary = await worker.stop();

    expect(run.status).toBe("succeeded");
    expect(run.phases.map((p) => [p.name, p.status, p.attempt])).toEqual([
      ["extract", "succeeded", 1],
      ["transform", "succeeded", 1],
      ["load", "succeeded", 1],
    ]);
    expect(run.phases[2]?.output).toEqual({ loaded: 6, input: { source: "test" } });
    expect(run.output_manifest).not.toBeNull();
    expect(JSON.stringify(run.output_manifest)).toContain("rows.csv");
    expect(summary).toMatchObject({ claimed: 3, succeeded: 3, failed: 0 });

    const events = await allEvents(cp().client, created.run_id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events[0]?.type).toBe("RUN_CREATED");
    expect(events.at(-1)?.type).toBe("RUN_SUCCEEDED");
    const at = (type: string, phaseName: string) =>
      events.findIndex((e) => e.type === type && e.phase === phaseName);
    let previousEnd = 0;
    for (const name of ["extract", "transform", "load"]) {
      const claimed = at("PHASE_CLAIMED", name);
      const started = at("PHASE_STARTED", name);
      const succeeded = at("PHASE_SUCCEEDED", name);
      expect(claimed).toBeGreaterThan(previousEnd);
      expect(started).toBeGreaterThan(claimed);
      expect(succeeded).toBeGreaterThan(started);
      previousEnd = succeeded;
    }
    const extractLog = at("LOG", "extract");
    expect(extractLog).toBeGreaterThan(at("PHASE_STARTED", "extract"));
    expect(extractLog).toBeLessThan(at("PHASE_SUCCEEDED", "extract"));
    expect(events[extractLog]?.payload).toEqual({ rows: 3 });
    expect(at("PHASE_PROGRESS", "extract")).toBeGreaterThan(0);
    expect(at("ARTIFACT_REGISTERED", "extract")).toBeGreaterThan(0);
  });

  it("retries a phase that throws twice, with growing delays, until it succeeds", async () => {
    const cap = uniqueCapability();
    const attempts: { attempt: number; at: number }[] = [];
    const executor = defineExecutor({
      id: "flaky",
      version: "1.0.0",
      capabilities: [cap],
      phases: {
        flaky: phase({
          requires: [cap],
          run(ctx) {
            attempts.push({ attempt: ctx.attempt, at: Date.now() });
            if (ctx.attempt < 3) throw new Error(`flake ${ctx.attempt}`);
            return { attempts: ctx.attempt };
          },
        }),
      },
    });
    const worker = startWorker(executor, { client: cp().createClient("executor") });
    const created = await createRun(cp().client, [
      {
        ...buildPhaseSpec(executor, "flaky"),
        retry: {
          max_attempts: 3,
          initial_interval_ms: 300,
          backoff_coefficient: 3,
          max_interval_ms: 10_000,
        },
      },
    ]);
    const run = await waitForRun(cp().client, created.run_id);
    await worker.stop();

    expect(run.status).toBe("succeeded");
    expect(run.phases[0]).toMatchObject({ attempt: 3, output: { attempts: 3 } });
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    const [first, second, third] = attempts.map((a) => a.at) as [number, number, number];
    // Backoff of 300 ms then 900 ms (plus up to 20% jitter and polling latency).
    expect(second - first).toBeGreaterThanOrEqual(300);
    expect(third - second).toBeGreaterThanOrEqual(900);
    expect(third - second).toBeGreaterThan(second - first);
    const events = await allEvents(cp().client, created.run_id);
    expect(events.filter((e) => e.type === "PHASE_RETRY_SCHEDULED")).toHaveLength(2);
  });

  it("times out a hanging phase, retries it, then fails the run and skips its dependants", async () => {
    const cap = uniqueCapability();
    let aborts = 0;
    const executor = defineExecutor({
      id: "hang",
      version: "1.0.0",
      capabilities: [cap],
      phases: {
        hang: phase({
          requires: [cap],
          timeoutMs: 300,
          run: (ctx) =>
            new Promise(() => {
              ctx.signal.addEventListener("abort", () => aborts++);
            }),
        }),
        after: phase({ requires: [cap], run: () => ({}) }),
      },
    });
    const worker = startWorker(executor, { client: cp().createClient("executor") });
    const created = await createRun(cp().client, [
      {
        ...buildPhaseSpec(executor, "hang"),
        retry: {
          max_attempts: 2,
          initial_interval_ms: 50,
          backoff_coefficient: 1,
          max_interval_ms: 50,
        },
      },
      buildPhaseSpec(executor, "after"),
    ]);
    const run = await waitForRun(cp().client, created.run_id);
    await worker.stop();

    expect(run.status).toBe("failed");
    expect(run.phases.map((p) => [p.name, p.status])).toEqual([
      ["hang", "failed"],
      ["after", "skipped"],
    ]);
    expect(run.phases[0]).toMatchObject({ attempt: 2, last_error: { code: "timeout" } });
    expect(aborts).toBe(2);
    const types = (await allEvents(cp().client, created.run_id)).map((e) => e.type);
    expect(types).toContain("PHASE_RETRY_SCHEDULED");
    expect(types.at(-1)).toBe("RUN_FAILED");
  });
});
