import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { FakeClient, fakeLease, httpError } from "../../test/helpers/fake-client.js";
import { defineExecutor } from "../definition/define-executor.js";
import { phase } from "../definition/phase.js";
import { runWorker } from "./run-worker.js";
import type { RunWorkerOptions } from "./run-worker-options.js";

const silent = pino({ level: "silent" });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await sleep(10);
  }
}

let active = 0;
let maxActive = 0;
const seenSignals: AbortSignal[] = [];
const executor = defineExecutor({
  id: "fake",
  version: "1.0.0",
  phases: {
    work: phase({
      async run(ctx) {
        active++;
        maxActive = Math.max(maxActive, active);
        ctx.log.info("working");
        await sleep(40);
        active--;
        return { done: true };
      },
    }),
    wait: phase({
      run: (ctx) =>
        new Promise((_resolve, reject) => {
          seenSignals.push(ctx.signal);
          ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason));
        }),
    }),
    stubborn: phase({ run: () => new Promise(() => {}) }),
    short: phase({ timeoutMs: 50, run: () => new Promise(() => {}) }),
    quick_after_stop: phase({ run: () => sleep(100).then(() => ({ ok: true })) }),
  },
});

const stops: AbortController[] = [];
function start(client: FakeClient, options: Partial<RunWorkerOptions> = {}) {
  const stop = new AbortController();
  stops.push(stop);
  const done = runWorker(executor, {
    client,
    logger: silent,
    handleSignals: false,
    claimWaitMs: 200,
    backoffInitialMs: 50,
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
  seenSignals.length = 0;
});

describe("runWorker (fake client)", () => {
  it("never runs more than `concurrency` phases at once, and completes them all", async () => {
    const client = new FakeClient();
    client.push(...Array.from({ length: 9 }, () => fakeLease("work")));
    const { stop, done } = start(client, { concurrency: 3 });
    await until(() => client.completes.length === 9);
    stop.abort();
    const summary = await done;
    expect(maxActive).toBeLessThanOrEqual(3);
    expect(maxActive).toBeGreaterThan(1);
    expect(summary).toMatchObject({ claimed: 9, succeeded: 9, failed: 0 });
    expect(client.completes.every((call) => call.body.status === "succeeded")).toBe(true);
  });

  it("sends its events before it completes", async () => {
    const client = new FakeClient();
    const lease = fakeLease("work");
    client.push(lease);
    const { stop, done } = start(client);
    await until(() => client.completes.length === 1);
    stop.abort();
    await done;
    expect(client.sentEvents.map((event) => event.type)).toEqual(["LOG"]);
    // The fake's leases do not say `started`: the first heartbeat (the server's
    // PHASE_STARTED) goes out before the phase runs.
    expect(client.heartbeats[0]?.runId).toBe(lease.run_id);
    expect(client.sentEvents[0]).toMatchObject({ phase: "work", runId: lease.run_id });
  });

  it("aborts the phase and does not complete it when the run is cancelled", async () => {
    const client = new FakeClient();
    const lease = fakeLease("wait");
    client.push(lease);
    const { stop, done } = start(client);
    await until(() => seenSignals.length === 1);
    client.cancelled.add(lease.run_id);
    await until(() => seenSignals[0]?.aborted === true);
    stop.abort();
    const summary = await done;
    expect(summary).toMatchObject({ abandoned: 1 });
    expect(client.completes).toEqual([]);
  });

  it("aborts the phase and does not complete it when the lease is lost", async () => {
    const client = new FakeClient();
    const lease = fakeLease("wait");
    client.push(lease);
    const { stop, done } = start(client);
    await until(() => seenSignals.length === 1);
    client.lost.add(lease.run_id);
    await until(() => seenSignals[0]?.aborted === true);
    stop.abort();
    expect(await done).toMatchObject({ abandoned: 1 });
    expect(client.completes).toEqual([]);
  });

  it("gives the lease up when heartbeats fail until it expires", async () => {
    const client = new FakeClient();
    client.leases.heartbeat = async () => {
      throw Object.assign(new Error("socket hang up"), { name: "ConnectionError" });
    };
    client.push(fakeLease("wait", { expires_at: new Date(Date.now() + 300).toISOString() }));
    const { stop, done } = start(client);
    await until(() => seenSignals[0]?.aborted === true);
    stop.abort();
    expect(await done).toMatchObject({ abandoned: 1 });
    expect(client.completes).toEqual([]);
  });

  it("fails a timed-out phase as retryable", async () => {
    const client = new FakeClient();
    client.push(fakeLease("short"));
    const { stop, done } = start(client);
    await until(() => client.completes.length === 1);
    stop.abort();
    await done;
    expect(client.completes[0]?.body).toMatchObject({
      status: "failed",
      error: { code: "timeout", retryable: true },
    });
  });

  it("on stop, lets running phases finish within the grace period", async () => {
    const client = new FakeClient();
    client.push(fakeLease("quick_after_stop"));
    const { stop, done } = start(client, { shutdownGraceMs: 5_000 });
    await until(() => client.heartbeats.length > 0);
    stop.abort();
    expect(await done).toMatchObject({ succeeded: 1 });
    expect(client.completes[0]?.body.status).toBe("succeeded");
  });

  it("after the grace period, aborts running phases and reports them failed-retryable at once", async () => {
    const client = new FakeClient();
    client.push(fakeLease("stubborn"), fakeLease("wait"));
    const { stop, done } = start(client, { concurrency: 2, shutdownGraceMs: 100 });
    await until(
      () =>
        new Set(client.heartbeats.map((beat) => beat.runId)).size === 2 && seenSignals.length === 1,
    );
    stop.abort();
    expect(await done).toMatchObject({ failed: 2 });
    for (const call of client.completes) {
      expect(call.body).toMatchObject({
        status: "failed",
        error: { code: "worker_shutdown", retryable: true, retry_after_ms: 0 },
      });
    }
  });

  it("stops claiming when stopped, even in the middle of a long-poll", async () => {
    const client = new FakeClient();
    const { stop, done } = start(client, { claimWaitMs: 30_000 });
    await until(() => client.claimCalls.length === 1);
    const stoppedAt = Date.now();
    stop.abort();
    await done;
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    expect(client.claimCalls).toHaveLength(1);
  });

  it.each([
    [429, "rate_limited"],
    [503, "unavailable"],
  ])("backs off on %i instead of hammering the server", async (status, code) => {
    const client = new FakeClient();
    client.claimErrorAlways = httpError(status, code, 150);
    const { stop, done } = start(client, { backoffInitialMs: 50, backoffMaxMs: 400 });
    await sleep(1_000);
    stop.abort();
    await done;
    // At least 150 ms (Retry-After) between calls: about 6 in a second, never dozens.
    expect(client.claimCalls.length).toBeGreaterThanOrEqual(2);
    expect(client.claimCalls.length).toBeLessThanOrEqual(8);
    const gaps = client.claimCalls
      .slice(1)
      .map((call, index) => call.at - (client.claimCalls[index]?.at ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(140);
  });

  it("reuses the claim's request_id when retrying after a connection error", async () => {
    const client = new FakeClient();
    client.claimErrors = [Object.assign(new Error("ECONNRESET"), { name: "ConnectionError" })];
    client.push(fakeLease("work"));
    const { stop, done } = start(client);
    await until(() => client.completes.length === 1);
    stop.abort();
    await done;
    expect(client.claimCalls[0]?.request_id).toBeDefined();
    expect(client.claimCalls[1]?.request_id).toBe(client.claimCalls[0]?.request_id);
    expect(client.claimCalls[2]?.request_id).not.toBe(client.claimCalls[0]?.request_id);
  });

  it("rejects when the server refuses its claims (bad token)", async () => {
    const client = new FakeClient();
    client.claimErrorAlways = httpError(401, "unauthorized");
    const { done } = start(client);
    await expect(done).rejects.toThrow("401 unauthorized");
    expect(client.claimCalls).toHaveLength(1);
  });
});
