import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PROBLEM_MEDIA_TYPE, problem } from "@controlroom/contract";
import { ControlRoomClient } from "@controlroom/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { buildPhaseSpec } from "../src/definition/build-phase-spec.js";
import { defineExecutor } from "../src/definition/define-executor.js";
import { phase } from "../src/definition/phase.js";
import type { WorkerClient } from "../src/worker/worker-client.js";
import type { WorkerSummary } from "../src/worker/worker-summary.js";
import { batchRecordingClient } from "./helpers/batch-recording-client.js";
import {
  allEvents,
  createRun,
  startWorker,
  uniqueCapability,
  useTestControlPlane,
  waitForRun,
} from "./helpers/integration.js";

const cp = useTestControlPlane();

/** A one-phase executor whose phase logs once and returns. */
function loggingExecutor(cap: string) {
  return defineExecutor({
    id: "batch-logging",
    version: "1.0.0",
    capabilities: [cap],
    phases: {
      work: phase({
        requires: [cap],
        run: (ctx) => {
          ctx.log.info("working");
          return { done: true };
        },
      }),
    },
  });
}

/**
 * A one-phase executor whose phases all wait until `count` of them are running, then
 * end at the same moment (and send no events, so nothing delays their completes).
 */
function barrierExecutor(cap: string, count: number) {
  let arrived = 0;
  let release!: () => void;
  const together = new Promise<void>((resolve) => {
    release = resolve;
  });
  return defineExecutor({
    id: "batch-barrier",
    version: "1.0.0",
    capabilities: [cap],
    phases: {
      work: phase({
        requires: [cap],
        run: async () => {
          arrived++;
          if (arrived >= count) release();
          await together;
          return { done: true };
        },
      }),
    },
  });
}

const LOGGING_TRAIL = [
  "RUN_CREATED",
  "RUN_STARTED",
  "PHASE_CLAIMED",
  "PHASE_STARTED",
  "LOG",
  "PHASE_SUCCEEDED",
  "RUN_SUCCEEDED",
];
const QUIET_TRAIL = LOGGING_TRAIL.filter((type) => type !== "LOG");

/** Creates `count` one-phase runs (queued before any worker starts). */
async function createRuns(executor: ReturnType<typeof loggingExecutor>, count: number) {
  const runs = [];
  for (let i = 0; i < count; i++) {
    runs.push(await createRun(cp().client, [buildPhaseSpec(executor, "work")]));
  }
  return runs.map((run) => run.run_id);
}

async function waitForAll(runIds: string[]) {
  return Promise.all(runIds.map((runId) => waitForRun(cp().client, runId)));
}

async function trails(runIds: string[]) {
  return Promise.all(
    runIds.map(async (runId) => (await allEvents(cp().client, runId)).map((event) => event.type)),
  );
}

/** Runs `count` queued runs of the logging executor through a worker on `client`. */
async function workQueue(client: WorkerClient, count: number, concurrency: number) {
  const cap = uniqueCapability();
  const executor = loggingExecutor(cap);
  const runIds = await createRuns(executor, count);
  const worker = startWorker(executor, { client, concurrency });
  const runs = await waitForAll(runIds);
  const summary = await worker.stop();
  return { runs, summary, trails: await trails(runIds) };
}

describe("a worker whose client has the batch endpoints", () => {
  it("claims several phases per request, and every run's trail is the single path's", async () => {
    const recorded = batchRecordingClient(cp().createClient("executor"));
    const { runs, summary, trails: seen } = await workQueue(recorded.client, 20, 8);

    expect(runs.map((run) => run.status)).toEqual(Array(20).fill("succeeded"));
    expect(summary).toMatchObject({ claimed: 20, succeeded: 20, failed: 0, rejected: 0 });
    expect(seen).toEqual(Array(20).fill(LOGGING_TRAIL));

    const answered = recorded.claims.filter((claim) => claim.leases !== undefined);
    expect(recorded.claims.every((claim) => claim.kind === "batch")).toBe(true);
    expect(answered.reduce((sum, claim) => sum + (claim.leases ?? 0), 0)).toBe(20);
    expect(recorded.claims.length).toBeLessThan(20);
    expect(answered.some((claim) => (claim.leases ?? 0) > 1)).toBe(true);
    for (const claim of recorded.claims) {
      expect(claim.maxLeases).toBeGreaterThanOrEqual(1);
      expect(claim.maxLeases).toBeLessThanOrEqual(8);
      expect(claim.leases ?? 0).toBeLessThanOrEqual(claim.maxLeases ?? 0);
    }
    // Every attempt was completed exactly once, all through the batch endpoint.
    expect(recorded.singleCompletes).toEqual([]);
    const completed = recorded.completeBatches.flat().map((completion) => completion.run_id);
    expect(completed.sort()).toEqual(runs.map((run) => run.run_id).sort());
    // Each attempt's LOG rode in its completion, not in a request of its own, and the
    // trail still reads it before the verdict.
    expect(
      recorded.completeBatches.flat().map((completion) => completion.events?.map((e) => e.type)),
    ).toEqual(Array(20).fill(["LOG"]));
  });

  it("completes attempts that end together in fewer requests than phases", async () => {
    const cap = uniqueCapability();
    const executor = barrierExecutor(cap, 8);
    const runIds = await createRuns(executor, 8);
    const recorded = batchRecordingClient(cp().createClient("executor"));
    const worker = startWorker(executor, { client: recorded.client, concurrency: 8 });
    const runs = await waitForAll(runIds);
    const summary = await worker.stop();

    expect(runs.map((run) => run.status)).toEqual(Array(8).fill("succeeded"));
    expect(summary).toMatchObject({ claimed: 8, succeeded: 8, rejected: 0 });
    const sizes = recorded.completeBatches.map((completions) => completions.length);
    expect(sizes.length).toBeLessThan(8);
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(8);
    expect(recorded.singleCompletes).toEqual([]);
    expect(await trails(runIds)).toEqual(Array(8).fill(QUIET_TRAIL));
  });

  it("treats a completion the server rejects (lease lost) as the single path does; the others succeed", async () => {
    const outcome = async (batch: boolean) => {
      const cap = uniqueCapability();
      const executor = barrierExecutor(cap, 4);
      const runIds = await createRuns(executor, 4);
      const victim = runIds[1];
      // A token the server does not know: it answers lease_lost, as for an expired lease.
      const recorded = batchRecordingClient(cp().createClient("executor"), {
        batch,
        tamper: (completion) =>
          completion.run_id === victim
            ? { ...completion, lease_token: crypto.randomUUID() }
            : completion,
      });
      const worker = startWorker(executor, { client: recorded.client, concurrency: 4 });
      const others = runIds.filter((runId) => runId !== victim);
      const runs = await waitForAll(others);
      const sent = () => [
        ...recorded.singleCompletes,
        ...recorded.completeBatches.flat().map((c) => c.run_id),
      ];
      // Wait until the victim's complete has been answered too (it is sent once).
      const deadline = Date.now() + 10_000;
      while (!sent().includes(victim ?? "") && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const summary = await worker.stop();
      const victimRun = await cp().client.runs.get(victim ?? "");
      return {
        summary,
        statuses: runs.map((run) => run.status),
        victimStatus: victimRun.phases[0]?.status,
        victimSends: sent().filter((runId) => runId === victim).length,
        batchSizes: recorded.completeBatches.map((completions) => completions.length),
      };
    };
    const single = await outcome(false);
    const batched = await outcome(true);

    expect(batched.statuses).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(batched.summary).toMatchObject({ claimed: 4, succeeded: 3, rejected: 1, failed: 0 });
    expect(counts(batched.summary)).toEqual(counts(single.summary));
    // Not retried, and the phase is left to its lease's expiry, as on the single path.
    expect(batched.victimSends).toBe(1);
    expect(batched.victimStatus).toBe(single.victimStatus);
    expect(batched.victimStatus).not.toBe("succeeded");
    expect(batched.batchSizes.reduce((sum, size) => sum + size, 0)).toBe(4);
  });
});

describe("a worker without the batch endpoints", () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("claims and completes one phase per request with a client that has no batch methods", async () => {
    const recorded = batchRecordingClient(cp().createClient("executor"), { batch: false });
    const { runs, summary, trails: seen } = await workQueue(recorded.client, 4, 2);

    expect(runs.map((run) => run.status)).toEqual(Array(4).fill("succeeded"));
    expect(summary).toMatchObject({ claimed: 4, succeeded: 4 });
    expect(seen).toEqual(Array(4).fill(LOGGING_TRAIL));
    expect(recorded.claims.every((claim) => claim.kind === "single")).toBe(true);
    expect(recorded.singleCompletes.sort()).toEqual(runs.map((run) => run.run_id).sort());
  });

  it("falls back for good when the server answers the batch routes 404 (an older control plane)", async () => {
    const proxy = await olderControlPlane(cp().url);
    servers.push(proxy.server);
    const recorded = batchRecordingClient(
      new ControlRoomClient({ baseUrl: proxy.url, token: cp().tokens.executor }),
    );
    const { runs, summary, trails: seen } = await workQueue(recorded.client, 6, 3);

    expect(runs.map((run) => run.status)).toEqual(Array(6).fill("succeeded"));
    expect(summary).toMatchObject({ claimed: 6, succeeded: 6, failed: 0, rejected: 0 });
    expect(seen).toEqual(Array(6).fill(LOGGING_TRAIL));
    // Each batch route was tried once; everything after went one phase per request.
    expect(proxy.refused.filter((path) => path === "/ops/claims/batch")).toHaveLength(1);
    expect(proxy.refused.filter((path) => path === "/ops/completions")).toHaveLength(1);
    expect(recorded.claims.filter((claim) => claim.kind === "batch")).toHaveLength(1);
    expect(recorded.completeBatches).toHaveLength(1);
    expect(recorded.singleCompletes.sort()).toEqual(runs.map((run) => run.run_id).sort());
  });
});

function counts(summary: WorkerSummary) {
  const { executorId: _executorId, lineage: _lineage, ...rest } = summary;
  return rest;
}

/**
 * A proxy in front of the control plane that answers the batch routes as a control
 * plane from before them would (404 `not_found`, "there is no endpoint …") and passes
 * everything else through.
 */
async function olderControlPlane(upstream: string) {
  const refused: string[] = [];
  const batchRoutes = new Set(["/ops/claims/batch", "/ops/completions"]);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://proxy").pathname;
    if (req.method === "POST" && batchRoutes.has(path)) {
      refused.push(path);
      req.resume();
      const body = problem("not_found", `there is no endpoint POST ${path}`);
      res.writeHead(404, { "content-type": PROBLEM_MEDIA_TYPE });
      res.end(JSON.stringify(body));
      return;
    }
    const target = new URL(req.url ?? "/", upstream);
    const forward = request(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", (error) => res.destroy(error));
    res.on("close", () => forward.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, refused };
}
