import type { Event } from "@controlroom/contract";
import { ControlRoomClient } from "@controlroom/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { buildPhaseSpec } from "../src/definition/build-phase-spec.js";
import { defineExecutor } from "../src/definition/define-executor.js";
import { phase } from "../src/definition/phase.js";
import type { WorkerClient } from "../src/worker/worker-client.js";
import { countingProxy } from "./helpers/counting-proxy.js";
import {
  allEvents,
  createRun,
  startWorker,
  uniqueCapability,
  until,
  useTestControlPlane,
  waitForRun,
} from "./helpers/integration.js";

const cp = useTestControlPlane();
const proxies: Awaited<ReturnType<typeof countingProxy>>[] = [];
afterEach(async () => {
  for (const proxy of proxies.splice(0)) await proxy.close();
});

async function proxy(options: Parameters<typeof countingProxy>[1] = {}) {
  const started = await countingProxy(cp().url, options);
  proxies.push(started);
  return started;
}

/** A worker's client through `url`, as an executor. */
function clientAt(url: string): ControlRoomClient {
  return new ControlRoomClient({ baseUrl: url, token: cp().tokens.executor });
}

/** The client without `leases.completeAndClaim`: a worker before claims rode on completions. */
function withoutCompleteAndClaim(client: ControlRoomClient): WorkerClient {
  return {
    claims: {
      claim: (body, options) => client.claims.claim(body, options),
      claimBatch: (body, options) => client.claims.claimBatch(body, options),
    },
    leases: {
      heartbeat: (runId, body, options) => client.leases.heartbeat(runId, body, options),
      complete: (runId, body, options) => client.leases.complete(runId, body, options),
      completeBatch: (completions, options) => client.leases.completeBatch(completions, options),
    },
    events: { buffer: (runId, options) => client.events.buffer(runId, options) },
    artifacts: { put: (request) => client.artifacts.put(request) },
  };
}

/**
 * An executor of three chained phases (extract → transform → load) that send no
 * events, counting how many run at once; `gate` holds every phase until it resolves.
 */
function chainExecutor(gate: Promise<void> = Promise.resolve()) {
  const cap = uniqueCapability();
  const stats = { active: 0, maxActive: 0, ran: 0 };
  const run = async () => {
    stats.active++;
    stats.maxActive = Math.max(stats.maxActive, stats.active);
    await gate;
    // A turn of the event loop, so phases that overlap are seen to.
    await new Promise((resolve) => setImmediate(resolve));
    stats.active--;
    stats.ran++;
    return { done: true };
  };
  const executor = defineExecutor({
    id: "complete-and-claim",
    version: "1.0.0",
    capabilities: [cap],
    phases: {
      extract: phase({ requires: [cap], run }),
      transform: phase({ requires: [cap], run }),
      load: phase({ requires: [cap], run }),
    },
  });
  const spec = (["extract", "transform", "load"] as const).map((name) =>
    buildPhaseSpec(executor, name),
  );
  return { executor, stats, spec };
}

const TRAIL = [
  "RUN_CREATED",
  "RUN_STARTED",
  ...["extract", "transform", "load"].flatMap(() => [
    "PHASE_CLAIMED",
    "PHASE_STARTED",
    "PHASE_SUCCEEDED",
  ]),
  "RUN_SUCCEEDED",
];

/** Queues `runs` chained runs, works them with one worker on `client`, and reports. */
async function work(
  client: (url: string) => WorkerClient,
  options: { runs: number; concurrency: number; stripClaim?: boolean },
) {
  const through = await proxy({ stripClaim: options.stripClaim ?? false });
  const { executor, stats, spec } = chainExecutor();
  const runIds: string[] = [];
  for (let i = 0; i < options.runs; i++) runIds.push((await createRun(cp().client, spec)).run_id);
  const worker = startWorker(executor, {
    client: client(through.url),
    concurrency: options.concurrency,
  });
  const runs = await Promise.all(runIds.map((runId) => waitForRun(cp().client, runId)));
  const summary = await worker.stop();
  const events = await Promise.all(runIds.map((runId) => allEvents(cp().client, runId)));
  return {
    runs,
    summary,
    stats,
    trails: events.map((trail) => trail.map((event) => event.type)),
    maxHeld: mostLeasesHeld(events.flat()),
    requests: through.requests,
    count: through.count,
  };
}

/**
 * The most leases live at once according to the server's own events: a lease lives
 * from its PHASE_CLAIMED to its attempt's end (the server's clock orders them; at the
 * same instant an end counts first).
 */
function mostLeasesHeld(events: Event[]): number {
  const ends = new Set(["PHASE_SUCCEEDED", "PHASE_FAILED", "LEASE_EXPIRED"]);
  const steps = events
    .filter((event) => event.type === "PHASE_CLAIMED" || ends.has(event.type))
    .map((event) => ({ at: Date.parse(event.ts), step: event.type === "PHASE_CLAIMED" ? 1 : -1 }))
    .sort((a, b) => a.at - b.at || a.step - b.step);
  let live = 0;
  let most = 0;
  for (const { step } of steps) {
    live += step;
    most = Math.max(most, live);
  }
  return most;
}

describe("a worker whose completion requests also claim", () => {
  it("ends every phase in fewer requests than with separate claims, never running more than its concurrency", async () => {
    const runs = 12;
    const phases = runs * 3;
    const separate = await work((url) => withoutCompleteAndClaim(clientAt(url)), {
      runs,
      concurrency: 4,
    });
    const together = await work(clientAt, { runs, concurrency: 4 });

    for (const outcome of [separate, together]) {
      expect(outcome.runs.map((run) => run.status)).toEqual(Array(runs).fill("succeeded"));
      expect(outcome.summary).toMatchObject({ claimed: phases, succeeded: phases, rejected: 0 });
      expect(outcome.trails).toEqual(Array(runs).fill(TRAIL));
      expect(outcome.stats.ran).toBe(phases);
      expect(outcome.stats.maxActive).toBeLessThanOrEqual(4);
      expect(outcome.maxHeld).toBeLessThanOrEqual(4);
    }
    // The same work: completes coalesce alike, but claims ride on them.
    const claimRequests = (outcome: typeof separate) =>
      outcome.count("POST", "/ops/claims/batch") + outcome.count("POST", "/ops/claims");
    expect(separate.requests.some((request) => request.claim)).toBe(false);
    expect(together.requests.filter((request) => request.claim).length).toBeGreaterThan(0);
    expect(claimRequests(together)).toBeLessThan(claimRequests(separate) / 2);
    expect(together.requests.length).toBeLessThan(separate.requests.length * 0.8);
    // Under load the phases kept the worker full.
    expect(together.stats.maxActive).toBe(4);
  });

  it("asks for no lease while its slots are full, and refills them from its completion requests", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const through = await proxy();
    const { executor, stats, spec } = chainExecutor(gate);
    const runIds: string[] = [];
    for (let i = 0; i < 8; i++) runIds.push((await createRun(cp().client, spec)).run_id);
    const worker = startWorker(executor, { client: clientAt(through.url), concurrency: 3 });
    await until(() => stats.active === 3);
    const before = through.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(through.requests.slice(before)).toEqual([]);
    release();
    await Promise.all(runIds.map((runId) => waitForRun(cp().client, runId)));
    await worker.stop();
    const events = await Promise.all(runIds.map((runId) => allEvents(cp().client, runId)));
    expect(stats.maxActive).toBeLessThanOrEqual(3);
    expect(mostLeasesHeld(events.flat())).toBe(3);
    // After the first claim, work came with completions (a long-poll may close the run).
    const claims = through.requests.filter((r) => r.path === "/ops/claims/batch");
    expect(claims.length).toBeLessThanOrEqual(3);
  });

  it("falls back for good on a control plane that ignores the claim (older than it)", async () => {
    const outcome = await work(clientAt, { runs: 4, concurrency: 2, stripClaim: true });
    expect(outcome.runs.map((run) => run.status)).toEqual(Array(4).fill("succeeded"));
    expect(outcome.summary).toMatchObject({ claimed: 12, succeeded: 12, rejected: 0 });
    expect(outcome.trails).toEqual(Array(4).fill(TRAIL));
    // One completion request carried a claim; once it was ignored, none did.
    expect(outcome.requests.filter((request) => request.claim)).toHaveLength(1);
    expect(outcome.count("POST", "/ops/completions")).toBeGreaterThan(1);
  });

  it("claims nothing with its completions once stopping", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const through = await proxy();
    const { executor, stats, spec } = chainExecutor(gate);
    const runIds: string[] = [];
    for (let i = 0; i < 4; i++) runIds.push((await createRun(cp().client, spec)).run_id);
    const worker = startWorker(executor, { client: clientAt(through.url), concurrency: 2 });
    await until(() => stats.active === 2);
    const stopped = worker.stop();
    release();
    const summary = await stopped;
    expect(summary).toMatchObject({ claimed: 2, succeeded: 2 });
    const completions = through.requests.filter((r) => r.path === "/ops/completions");
    expect(completions.length).toBeGreaterThan(0);
    expect(completions.some((request) => request.claim)).toBe(false);
    // The phases those completions unblocked are left for other workers.
    const statuses = await Promise.all(
      runIds.map(async (runId) => (await cp().client.runs.get(runId)).phases.map((p) => p.status)),
    );
    expect(
      statuses.flat().filter((status) => status === "running" || status === "claimed"),
    ).toEqual([]);
  });
});
