import type { Completion, CompletionResult, Lease } from "@controlroom/contract";
import { NotFoundError } from "@controlroom/sdk";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { defineExecutor } from "../src/definition/define-executor.js";
import { phase } from "../src/definition/phase.js";
import { abortableSleep } from "../src/internal/abortable-sleep.js";
import { runWorker } from "../src/worker/run-worker.js";
import type { RunWorkerOptions } from "../src/worker/run-worker-options.js";
import type { WorkerClient } from "../src/worker/worker-client.js";
import { FakeClient, fakeLease, httpError } from "./helpers/fake-client.js";
import { until } from "./helpers/integration.js";

const silent = pino({ level: "silent" });

let active = 0;
let maxActive = 0;
const executor = defineExecutor({
  id: "batch-fake",
  version: "1.0.0",
  phases: {
    work: phase({
      async run() {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((resolve) => setTimeout(resolve, 20));
        active--;
        return { done: true };
      },
    }),
  },
});

function notFound(): NotFoundError {
  return new NotFoundError({
    status: 404,
    code: "not_found",
    message: "there is no endpoint POST /ops/claims/batch",
    requestId: undefined,
    problem: undefined,
    retryAfterMs: undefined,
  });
}

/**
 * The fake client with `claims.claimBatch` (and, with `completeBatch`, a
 * `leases.completeBatch` answering `rejected` for the runs in `lostRuns`).
 */
function batchingClient(fake: FakeClient, options: { completeBatch?: boolean } = {}) {
  const batchCalls: { request_id: string | undefined; max_leases: number; got: number }[] = [];
  const batchErrors: unknown[] = [];
  const completeBatches: Completion[][] = [];
  const lostRuns = new Set<string>();
  const client: WorkerClient = {
    claims: {
      claim: fake.claims.claim,
      claimBatch: async (body, callOptions) => {
        const call = { request_id: body.request_id, max_leases: body.max_leases, got: 0 };
        batchCalls.push(call);
        if (batchErrors.length > 0) throw batchErrors.shift();
        if (fake.leases_queue.length === 0) {
          await abortableSleep(Math.min(body.wait_ms ?? 0, 50), callOptions?.signal);
          callOptions?.signal?.throwIfAborted();
        }
        const leases: Lease[] = fake.leases_queue.splice(0, body.max_leases);
        call.got = leases.length;
        return leases;
      },
    },
    leases: {
      heartbeat: fake.leases.heartbeat,
      complete: fake.leases.complete,
      ...(options.completeBatch
        ? {
            completeBatch: async (completions: Completion[]): Promise<CompletionResult[]> => {
              completeBatches.push(completions);
              return completions.map((c) =>
                lostRuns.has(c.run_id)
                  ? {
                      outcome: "rejected",
                      run_id: c.run_id,
                      lease_token: c.lease_token,
                      error: {
                        type: "https://controlroom.dev/problems/lease_lost",
                        title: "Lease lost",
                        status: 409,
                        detail: "the lease expired",
                        code: "lease_lost",
                      },
                    }
                  : {
                      outcome: "completed",
                      run_id: c.run_id,
                      lease_token: c.lease_token,
                      phase: "work",
                      run_status: "succeeded",
                    },
              );
            },
          }
        : {}),
    },
    events: fake.events,
    artifacts: fake.artifacts,
  };
  return { client, batchCalls, batchErrors, completeBatches, lostRuns };
}

const stops: AbortController[] = [];
function start(client: WorkerClient, options: Partial<RunWorkerOptions> = {}) {
  const stop = new AbortController();
  stops.push(stop);
  const done = runWorker(executor, {
    client,
    logger: silent,
    handleSignals: false,
    claimWaitMs: 200,
    backoffInitialMs: 20,
    eventFlushIntervalMs: 10,
    signal: stop.signal,
    ...options,
  });
  return { stop, done };
}

afterEach(() => {
  for (const stop of stops.splice(0)) stop.abort();
  active = 0;
  maxActive = 0;
});

describe("runWorker with claims.claimBatch (fake client)", () => {
  it("claims all free slots in one request and starts every lease it gets", async () => {
    const fake = new FakeClient();
    fake.push(...Array.from({ length: 10 }, () => fakeLease("work")));
    const { client, batchCalls } = batchingClient(fake);
    const { stop, done } = start(client, { concurrency: 4 });
    await until(() => fake.completes.length === 10);
    stop.abort();
    expect(await done).toMatchObject({ claimed: 10, succeeded: 10 });
    expect(fake.claimCalls).toEqual([]);
    expect(batchCalls[0]).toMatchObject({ max_leases: 4, got: 4 });
    for (const call of batchCalls) {
      expect(call.max_leases).toBeGreaterThanOrEqual(1);
      expect(call.max_leases).toBeLessThanOrEqual(4);
    }
    expect(batchCalls.filter((call) => call.got > 0).length).toBeLessThan(10);
    expect(maxActive).toBeLessThanOrEqual(4);
  });

  it("waits for half its slots while the queue is full, and claims at one free slot once it is drained", async () => {
    const fake = new FakeClient();
    fake.push(...Array.from({ length: 40 }, () => fakeLease("work")));
    const { client, batchCalls } = batchingClient(fake);
    const { stop, done } = start(client, { concurrency: 8 });
    await until(() => fake.completes.length === 40);
    // Drained: the next claim goes out with a single slot free at some point.
    fake.push(fakeLease("work"));
    await until(() => fake.completes.length === 41);
    stop.abort();
    expect(await done).toMatchObject({ claimed: 41, succeeded: 41 });
    // A claim after one that came back full waited for half the slots (4 of 8).
    for (const [index, call] of batchCalls.entries()) {
      const previous = batchCalls[index - 1];
      if (previous !== undefined && previous.got === previous.max_leases) {
        expect(call.max_leases).toBeGreaterThanOrEqual(4);
      }
    }
    // So 40 queued leases took at most 1 + 32 / 4 claims, and the 41st one more.
    expect(batchCalls.filter((call) => call.got > 0).length).toBeLessThanOrEqual(10);
  });

  it("asks for at most 100 leases", async () => {
    const fake = new FakeClient();
    const { client, batchCalls } = batchingClient(fake);
    const { stop, done } = start(client, { concurrency: 150 });
    await until(() => batchCalls.length > 0);
    stop.abort();
    await done;
    expect(batchCalls[0]?.max_leases).toBe(100);
  });

  it("retries a failed batch claim with the same request_id and size, then mints a new one", async () => {
    const fake = new FakeClient();
    const { client, batchCalls, batchErrors } = batchingClient(fake);
    batchErrors.push(httpError(503, "unavailable"), httpError(503, "unavailable"));
    fake.push(fakeLease("work"));
    const { stop, done } = start(client, { concurrency: 3 });
    await until(() => fake.completes.length === 1 && batchCalls.length >= 4);
    stop.abort();
    await done;
    const [first, second, third, fourth] = batchCalls;
    expect(second).toMatchObject({ request_id: first?.request_id, max_leases: 3 });
    expect(third).toMatchObject({ request_id: first?.request_id, max_leases: 3, got: 1 });
    expect(fourth?.request_id).not.toBe(first?.request_id);
  });

  it("falls back to single claims for good when the server does not know the endpoint", async () => {
    const fake = new FakeClient();
    const { client, batchCalls, batchErrors } = batchingClient(fake);
    batchErrors.push(notFound());
    fake.push(...Array.from({ length: 5 }, () => fakeLease("work")));
    const lines: { level: number; msg: string }[] = [];
    const logger = pino(
      { level: "info" },
      { write: (line: string) => void lines.push(JSON.parse(line)) },
    );
    const { stop, done } = start(client, { concurrency: 2, logger });
    await until(() => fake.completes.length === 5);
    stop.abort();
    expect(await done).toMatchObject({ claimed: 5, succeeded: 5 });
    expect(batchCalls).toHaveLength(1);
    expect(fake.claimCalls.length).toBeGreaterThanOrEqual(5);
    // Not a failure: no backoff, and said once, at info.
    expect(lines.filter((line) => line.msg.includes("/ops/claims/batch"))).toEqual([
      expect.objectContaining({ level: 30 }),
    ]);
    expect(lines.filter((line) => line.msg === "claim failed; backing off")).toEqual([]);
  });

  it("stops on a batch claim the server refuses outright, as with single claims", async () => {
    const fake = new FakeClient();
    const { client, batchErrors } = batchingClient(fake);
    const refusal = httpError(401, "unauthorized");
    batchErrors.push(refusal);
    const { done } = start(client);
    await expect(done).rejects.toBe(refusal);
  });
});

describe("runWorker with leases.completeBatch (fake client)", () => {
  it("counts a completion rejected with lease_lost as the single path counts a lost complete", async () => {
    const leases = Array.from({ length: 4 }, () => fakeLease("work"));
    const lostRun = leases[1]?.run_id ?? "";

    // The single path: complete throws LeaseLostError for that run.
    const single = new FakeClient();
    single.push(...leases.map((lease) => ({ ...lease })));
    const singleComplete = single.leases.complete;
    single.leases.complete = async (runId, body) => {
      if (runId === lostRun) throw httpError(409, "lease_lost");
      return singleComplete(runId, body);
    };
    const singleWorker = start(single, { concurrency: 4 });
    await until(() => single.leases_queue.length === 0 && single.completes.length === 3);
    singleWorker.stop.abort();
    const singleSummary = await singleWorker.done;

    // The batch path: completeBatch answers `rejected` (lease_lost) for it.
    const fake = new FakeClient();
    fake.push(...leases.map((lease) => ({ ...lease })));
    const { client, completeBatches, lostRuns } = batchingClient(fake, { completeBatch: true });
    lostRuns.add(lostRun);
    const batchWorker = start(client, { concurrency: 4 });
    await until(() => completeBatches.flat().length === 4);
    batchWorker.stop.abort();
    const batchSummary = await batchWorker.done;

    expect(batchSummary).toMatchObject({ claimed: 4, succeeded: 3, rejected: 1, failed: 0 });
    const { executorId: _a, ...singleCounts } = singleSummary;
    const { executorId: _b, ...batchCounts } = batchSummary;
    expect(batchCounts).toEqual(singleCounts);
    // Not retried: a lost lease is final.
    expect(completeBatches.flat().filter((c) => c.run_id === lostRun)).toHaveLength(1);
    expect(fake.completes).toEqual([]);
  });
});
