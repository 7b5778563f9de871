import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assertValidOpenLineageEvent } from "@controlroom/test-openlineage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPhaseSpec } from "../src/definition/build-phase-spec.js";
import { defineExecutor } from "../src/definition/define-executor.js";
import { phase } from "../src/definition/phase.js";
import { NonRetryableError } from "../src/errors/non-retryable-error.js";
import { createOpenLineageEmitter } from "../src/lineage/openlineage-emitter.js";
import type { OpenLineageRunEvent } from "../src/lineage/openlineage-event.js";
import { phaseRunId } from "../src/lineage/phase-run-id.js";
import { runLineageEvent } from "../src/lineage/run-lineage-event.js";
import {
  createRun,
  startWorker,
  uniqueCapability,
  useTestControlPlane,
  waitForRun,
} from "./helpers/integration.js";

const cp = useTestControlPlane();

/** A tiny OpenLineage endpoint: collects every POSTed event. */
let server: Server;
let endpoint: string;
const posted: { event: OpenLineageRunEvent; headers: IncomingHttpHeaders; path: string }[] = [];
beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      posted.push({
        event: JSON.parse(Buffer.concat(chunks).toString("utf8")) as OpenLineageRunEvent,
        headers: request.headers,
        path: request.url ?? "",
      });
      response.writeHead(201, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/lineage`;
});
const dirs: string[] = [];
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

function twoPhaseExecutor(options: { failLoad?: boolean } = {}) {
  const cap = uniqueCapability();
  const executor = defineExecutor({
    id: "lineage-it",
    version: "1.0.0",
    capabilities: [cap],
    phases: {
      extract: phase({
        requires: [cap],
        kind: "ingest",
        run(ctx) {
          ctx.lineage.input({ namespace: "postgres://db:5432", name: "shop.public.orders" });
          ctx.lineage.output({
            namespace: "s3://lake",
            name: "bronze/orders",
            facets: { version: { datasetVersion: "1" } },
            outputFacets: { outputStatistics: { rowCount: 3 } },
          });
          return { rows: 3 };
        },
      }),
      load: phase({
        requires: [cap],
        run(ctx) {
          ctx.lineage.input({ namespace: "s3://lake", name: "bronze/orders" });
          if (options.failLoad) throw new NonRetryableError("the warehouse refused the load");
          return { loaded: ctx.upstream.extract?.rows };
        },
      }),
    },
  });
  const phases = [
    buildPhaseSpec(executor, "extract"),
    buildPhaseSpec(executor, "load", { depends_on: ["extract"] }),
  ];
  return { executor, phases };
}

function byPhase(events: OpenLineageRunEvent[], runId: string) {
  const phaseOf = (event: OpenLineageRunEvent) => event.job.name.split(".").at(-1) as string;
  const out: Record<string, string[]> = {};
  for (const event of events) {
    const parent = event.run.facets?.parent as { run: { runId: string } } | undefined;
    if (parent?.run.runId !== runId) continue;
    const name = phaseOf(event);
    out[name] = [...(out[name] ?? []), event.eventType];
  }
  return out;
}

describe("runWorker with lineage", () => {
  it("POSTs every attempt's events to an HTTP endpoint, each valid, and closes its emitter", async () => {
    const { executor, phases } = twoPhaseExecutor();
    const worker = startWorker(executor, {
      client: cp().createClient("executor"),
      lineage: {
        transport: { type: "http", url: endpoint, headers: { authorization: "Bearer t0ken" } },
        namespace: "it",
      },
    });
    const created = await createRun(cp().client, phases);
    const run = await waitForRun(cp().client, created.run_id);
    const summary = await worker.stop();
    expect(run.status).toBe("succeeded");

    const events = posted.map((p) => p.event).filter((e) => e.job.namespace === "it");
    for (const event of events) assertValidOpenLineageEvent(event);
    expect(byPhase(events, created.run_id)).toEqual({
      extract: ["START", "COMPLETE"],
      load: ["START", "COMPLETE"],
    });
    expect(posted.every((p) => p.path === "/api/v1/lineage")).toBe(true);
    expect(posted.every((p) => p.headers.authorization === "Bearer t0ken")).toBe(true);
    const extractDone = events.find(
      (e) => e.job.name === "executor-kit-test.extract" && e.eventType === "COMPLETE",
    );
    expect(extractDone?.run.runId).toBe(phaseRunId(created.run_id, "extract", 1));
    expect(extractDone?.outputs.map((o) => `${o.namespace}/${o.name}`)).toEqual([
      "s3://lake/bronze/orders",
    ]);
    expect(summary.lineage).toMatchObject({
      emitted: 4,
      sent: 4,
      failed: 0,
      dropped: 0,
      pending: 0,
    });
  });

  it("writes JSON lines to a shared file emitter, with FAIL for a failed phase", async () => {
    const dir = await mkdtemp(join(tmpdir(), "worker-lineage-"));
    dirs.push(dir);
    const path = join(dir, "lineage.jsonl");
    const lineage = createOpenLineageEmitter({ transport: { type: "file", path } });
    const { executor, phases } = twoPhaseExecutor({ failLoad: true });
    const worker = startWorker(executor, { client: cp().createClient("executor"), lineage });
    const created = await createRun(cp().client, phases);
    const run = await waitForRun(cp().client, created.run_id);
    const summary = await worker.stop();
    expect(run.status).toBe("failed");
    // A shared emitter is flushed, not closed: its owner may still emit.
    expect(summary.lineage).toMatchObject({ emitted: 4, pending: 0 });
    lineage.emit(runLineageEvent({ eventType: "FAIL", run, errorMessage: "phase load failed" }));
    await lineage.close();

    const events = (await readFile(path, "utf8"))
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as OpenLineageRunEvent);
    for (const event of events) assertValidOpenLineageEvent(event);
    expect(byPhase(events, created.run_id)).toEqual({
      extract: ["START", "COMPLETE"],
      load: ["START", "FAIL"],
    });
    const fail = events.find((e) => e.eventType === "FAIL");
    expect(fail?.run.facets?.errorMessage).toMatchObject({
      message: "the warehouse refused the load",
    });
    expect(fail?.inputs.map((i) => i.name)).toEqual(["bronze/orders"]);
    expect(events.at(-1)?.job.name).toBe("executor-kit-test");
  });

  it("never fails a phase when the endpoint is unreachable", async () => {
    const { executor, phases } = twoPhaseExecutor();
    // A port nothing listens on.
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, "127.0.0.1", resolve));
    const { port } = dead.address() as AddressInfo;
    await new Promise((resolve) => dead.close(resolve));
    const worker = startWorker(executor, {
      client: cp().createClient("executor"),
      lineage: { transport: { type: "http", url: `http://127.0.0.1:${port}/`, timeoutMs: 200 } },
    });
    const created = await createRun(cp().client, phases);
    const run = await waitForRun(cp().client, created.run_id);
    const summary = await worker.stop();
    expect(run.status).toBe("succeeded");
    expect(summary).toMatchObject({ succeeded: 2, failed: 0 });
    expect(summary.lineage).toMatchObject({ emitted: 4, sent: 0, failed: 4, pending: 0 });
  });
});
