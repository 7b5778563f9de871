import { backoffDelayMs, RunSchema } from "@controlroom/contract";
import { describe, expect, it } from "vitest";
import { expectCode } from "../expect-error.js";
import { asRole, claimBody, claimsFor, FAST_RETRY, phase, runBody, trail } from "../fixtures.js";
import type { SuiteContext } from "../ops-store-suite.js";

/** Heartbeats, fencing, completes, lease expiry, retries and timeouts. */
export function leasesSuite(ctx: SuiteContext): void {
  /** Creates a run as an operator and claims its first phase as an executor. */
  async function claimed(phases = [phase("a"), phase("b")]) {
    const ex = claimsFor("executor");
    const { run } = await ctx.h.store.createRun(asRole(ex, "operator"), runBody(phases), undefined);
    const lease = await ctx.h.store.claimRun(ex, run.run_id, claimBody("exec-1"));
    if (!lease) throw new Error("nothing to claim");
    return { ex, run, lease };
  }

  /** Moves a live lease's expiry into the past, as if its heartbeats had stopped. */
  async function expireNow(runId: string) {
    await ctx.h.owner(
      `update ops.phases set lease_expires_at = now() - interval '1 second'
        where run_id = $1 and status in ('claimed', 'running')`,
      [runId],
    );
  }

  /** Makes a scheduled retry due now, instead of sleeping through the backoff. */
  async function makeDue(runId: string) {
    await ctx.h.owner(
      `update ops.phases set runnable_since = now() - interval '1 second'
        where run_id = $1 and status = 'runnable'`,
      [runId],
    );
  }

  async function eventCount(claims: Parameters<typeof ctx.h.store.listEvents>[0], runId: string) {
    return (await ctx.h.store.listEvents(claims, runId, 0, 1000)).items.length;
  }

  describe("leases", () => {
    it("moves claimed → running on the first heartbeat and extends the lease", async () => {
      const { ex, run, lease } = await claimed();
      const hb = await ctx.h.store.heartbeat(ex, run.run_id, {
        lease_token: lease.lease_token,
        progress: { fraction: 0.5 },
      });
      expect(hb.cancel_requested).toBe(false);
      expect(Date.parse(hb.expires_at)).toBeGreaterThanOrEqual(Date.parse(lease.expires_at));
      await ctx.h.store.heartbeat(ex, run.run_id, { lease_token: lease.lease_token });
      const after = RunSchema.parse(await ctx.h.store.getRun(ex, run.run_id));
      expect(after.phases[0]?.status).toBe("running");
      expect(after.phases[0]?.claimed_by).toBe("exec-1");
      const events = await ctx.h.store.listEvents(ex, run.run_id, 0, 100);
      expect(trail(events.items).filter((t) => t === "PHASE_STARTED:a")).toHaveLength(1);
    });

    it("starts the attempt in the claim with `start`: running, CLAIMED then STARTED, no second STARTED", async () => {
      const ex = claimsFor("executor");
      const { run } = await ctx.h.store.createRun(
        asRole(ex, "operator"),
        runBody([phase("a"), phase("b")]),
        undefined,
      );
      const body = { ...claimBody("exec-1"), start: true };
      const lease = await ctx.h.store.claimRun(ex, run.run_id, body);
      if (!lease) throw new Error("nothing to claim");
      expect(lease.started).toBe(true);
      const claimedRun = RunSchema.parse(await ctx.h.store.getRun(ex, run.run_id));
      expect(claimedRun.status).toBe("running");
      expect(claimedRun.phases.map((p) => p.status)).toEqual(["running", "pending"]);
      // A repeated request returns the same, started lease and writes nothing.
      const repeat = await ctx.h.store.claimRun(ex, run.run_id, body);
      expect(repeat).toEqual(lease);
      await ctx.h.store.heartbeat(ex, run.run_id, { lease_token: lease.lease_token });
      const events = (await ctx.h.store.listEvents(ex, run.run_id, 0, 100)).items;
      expect(trail(events)).toEqual([
        "RUN_CREATED",
        "RUN_STARTED",
        "PHASE_CLAIMED:a",
        "PHASE_STARTED:a",
      ]);
      expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
      expect(events[3]?.payload).toEqual({ attempt: 1, executor_id: "exec-1" });
      // The next claim of a running run writes no second RUN_STARTED.
      await ctx.h.store.complete(ex, run.run_id, {
        lease_token: lease.lease_token,
        status: "succeeded",
      });
      const second = await ctx.h.store.claimRun(ex, run.run_id, {
        ...claimBody("exec-2"),
        start: true,
      });
      expect(second?.started).toBe(true);
      const after = (await ctx.h.store.listEvents(ex, run.run_id, 4, 100)).items;
      expect(trail(after)).toEqual(["PHASE_SUCCEEDED:a", "PHASE_CLAIMED:b", "PHASE_STARTED:b"]);
      expect(after.map((e) => e.seq)).toEqual([5, 6, 7]);
    });

    it("leaves a claim without `start` claimed, its lease not started", async () => {
      const { ex, run, lease } = await claimed();
      expect(lease.started).toBe(false);
      const after = RunSchema.parse(await ctx.h.store.getRun(ex, run.run_id));
      expect(after.phases[0]?.status).toBe("claimed");
      const events = await ctx.h.store.listEvents(ex, run.run_id, 0, 100);
      expect(trail(events.items)).not.toContain("PHASE_STARTED:a");
    });

    it("answers lease_lost to a stale token on heartbeat and complete, changing nothing", async () => {
      const { ex, run } = await claimed();
      const before = await ctx.h.store.getRun(ex, run.run_id);
      const events = await eventCount(ex, run.run_id);
      await expectCode(
        ctx.h.store.heartbeat(ex, run.run_id, { lease_token: "not-a-lease" }),
        "lease_lost",
      );
      await expectCode(
        ctx.h.store.complete(ex, run.run_id, { lease_token: "not-a-lease", status: "succeeded" }),
        "lease_lost",
      );
      expect(await ctx.h.store.getRun(ex, run.run_id)).toEqual(before);
      expect(await eventCount(ex, run.run_id)).toBe(events);
    });

    it("returns the run unchanged for a repeated complete", async () => {
      const { ex, run, lease } = await claimed();
      const body = {
        lease_token: lease.lease_token,
        status: "succeeded" as const,
        output: { rows: 3 },
        output_manifest: { "bronze.orders": "sha256:ab" },
      };
      const first = await ctx.h.store.complete(ex, run.run_id, body);
      const events = await eventCount(ex, run.run_id);
      const again = await ctx.h.store.complete(ex, run.run_id, body);
      expect(again).toEqual(first);
      expect(await eventCount(ex, run.run_id)).toBe(events);
      // The token is spent: it cannot heartbeat, and the next phase got no second claim.
      await expectCode(
        ctx.h.store.heartbeat(ex, run.run_id, { lease_token: lease.lease_token }),
        "lease_lost",
      );
      expect(first.phases.map((p) => p.status)).toEqual(["succeeded", "runnable"]);
      const next = await ctx.h.store.claimRun(ex, run.run_id, claimBody());
      expect(next?.upstream_outputs).toEqual({ a: { rows: 3 } });
    });

    it("expires an unheartbeated lease, schedules a retry with backoff, and lets another executor claim attempt 2", async () => {
      const { ex, run, lease } = await claimed();
      await expireNow(run.run_id);
      await expectCode(
        ctx.h.store.heartbeat(ex, run.run_id, { lease_token: lease.lease_token }),
        "lease_lost",
      );
      const before = Date.now();
      expect(await ctx.h.store.expireLeases()).toBe(1);
      const after = Date.now();
      expect(await ctx.h.store.expireLeases()).toBe(0);
      const state = RunSchema.parse(await ctx.h.store.getRun(ex, run.run_id));
      const a = state.phases[0];
      expect(a?.status).toBe("runnable");
      expect(a?.last_error).toMatchObject({ code: "lease_expired" });
      const due = Date.parse(a?.next_attempt_at ?? "");
      const low = backoffDelayMs(FAST_RETRY, 1, 0);
      const high = backoffDelayMs(FAST_RETRY, 1, 1);
      // Timestamps are cut to milliseconds, and the database clock is read once per call.
      expect(due).toBeGreaterThanOrEqual(before + low - 50);
      expect(due).toBeLessThanOrEqual(after + high + 50);
      const events = await ctx.h.store.listEvents(ex, run.run_id, 0, 100);
      expect(trail(events.items)).toEqual([
        "RUN_CREATED",
        "RUN_STARTED",
        "PHASE_CLAIMED:a",
        "LEASE_EXPIRED:a",
        "PHASE_RETRY_SCHEDULED:a",
      ]);
      const retry = events.items.at(-1)?.payload as { delay_ms: number };
      expect(retry.delay_ms).toBeGreaterThanOrEqual(low);
      expect(retry.delay_ms).toBeLessThanOrEqual(high);
      await makeDue(run.run_id);
      const second = await ctx.h.store.claimRun(ex, run.run_id, claimBody("exec-2"));
      expect(second?.attempt).toBe(2);
      expect(second?.phase).toBe("a");
      // The first executor's late complete is fenced off.
      await expectCode(
        ctx.h.store.complete(ex, run.run_id, {
          lease_token: lease.lease_token,
          status: "succeeded",
        }),
        "lease_lost",
      );
      const m = await ctx.h.store.metrics();
      expect(m.leaseExpirationsTotal).toBe(1);
    });

    it("fails the phase and the run after the last attempt, skipping dependants", async () => {
      const { ex, run } = await claimed([
        phase("a", { retry: { ...FAST_RETRY, max_attempts: 2 } }),
        phase("b"),
        phase("c"),
      ]);
      await expireNow(run.run_id);
      expect(await ctx.h.store.expireLeases()).toBe(1);
      await makeDue(run.run_id);
      const second = await ctx.h.store.claimRun(ex, run.run_id, claimBody("exec-2"));
      expect(second?.attempt).toBe(2);
      await expireNow(run.run_id);
      expect(await ctx.h.store.expireLeases()).toBe(1);
      const final = RunSchema.parse(await ctx.h.store.getRun(ex, run.run_id));
      expect(final.status).toBe("failed");
      expect(final.finished_at).not.toBeNull();
      expect(final.phases.map((p) => p.status)).toEqual(["failed", "skipped", "skipped"]);
      expect(final.output_manifest).toEqual({ phases: { a: null, b: null, c: null } });
      const events = await ctx.h.store.listEvents(ex, run.run_id, 0, 100);
      expect(trail(events.items)).toEqual([
        "RUN_CREATED",
        "RUN_STARTED",
        "PHASE_CLAIMED:a",
        "LEASE_EXPIRED:a",
        "PHASE_RETRY_SCHEDULED:a",
        "PHASE_CLAIMED:a",
        "LEASE_EXPIRED:a",
        "PHASE_FAILED:a",
        "PHASE_SKIPPED:b",
        "PHASE_SKIPPED:c",
        "RUN_FAILED",
      ]);
      expect(events.items.map((e) => e.seq)).toEqual(events.items.map((_, i) => i + 1));
    });

    it("enforces timeout_seconds even while the attempt keeps heartbeating", async () => {
      const { ex, run, lease } = await claimed([phase("a", { timeout_seconds: 30 })]);
      const hb = await ctx.h.store.heartbeat(ex, run.run_id, { lease_token: lease.lease_token });
      // The lease never outlives the timeout.
      expect(Date.parse(hb.expires_at)).toBeLessThanOrEqual(Date.now() + 31_000);
      // 31 s later by the attempt's clock, its lease still live from a fresh heartbeat.
      await ctx.h.owner(
        `update ops.phases set claimed_at = claimed_at - interval '31 seconds',
                               lease_expires_at = now() + interval '60 seconds'
          where run_id = $1`,
        [run.run_id],
      );
      expect(await ctx.h.store.expireLeases()).toBe(1);
      const events = await ctx.h.store.listEvents(ex, run.run_id, 0, 100);
      const expired = events.items.find((e) => e.type === "LEASE_EXPIRED");
      expect(expired?.payload).toMatchObject({ reason: "timeout", attempt: 1 });
      await expectCode(
        ctx.h.store.heartbeat(ex, run.run_id, { lease_token: lease.lease_token }),
        "lease_lost",
      );
    });

    it("expires each lease once when several reapers run at the same time", async () => {
      const ex = claimsFor("executor");
      const op = asRole(ex, "operator");
      const { run } = await ctx.h.store.createRun(
        op,
        runBody(Array.from({ length: 6 }, (_, i) => phase(`p${i}`, { depends_on: [] }))),
        undefined,
      );
      for (let i = 0; i < 6; i++) await ctx.h.store.claimRun(ex, run.run_id, claimBody());
      await expireNow(run.run_id);
      let total = 0;
      for (let round = 0; round < 3 && total < 6; round++) {
        const counts = await Promise.all(
          Array.from({ length: 5 }, () => ctx.h.store.expireLeases()),
        );
        total += counts.reduce((sum, n) => sum + n, 0);
      }
      expect(total).toBe(6);
      const events = await ctx.h.store.listEvents(ex, run.run_id, 0, 100);
      expect(events.items.filter((e) => e.type === "LEASE_EXPIRED")).toHaveLength(6);
    });

    it("retries a retryable failure with backoff or retry_after_ms, and fails a non-retryable one at once", async () => {
      const ex = claimsFor("executor");
      const { run } = await ctx.h.store.createRun(
        asRole(ex, "operator"),
        runBody([phase("a", { depends_on: [] }), phase("b", { depends_on: [] }), phase("c")]),
        undefined,
      );
      const la = await ctx.h.store.claimRun(ex, run.run_id, claimBody());
      const lb = await ctx.h.store.claimRun(ex, run.run_id, claimBody());
      if (!la || !lb) throw new Error("expected two leases");
      const start = Date.now();
      const r1 = await ctx.h.store.complete(ex, run.run_id, {
        lease_token: la.lease_token,
        status: "failed",
        error: { message: "busy", retry_after_ms: 5_000 },
      });
      const a = r1.phases.find((p) => p.name === "a");
      expect(a?.status).toBe("runnable");
      expect(Date.parse(a?.next_attempt_at ?? "")).toBeGreaterThanOrEqual(start + 4_900);
      expect(Date.parse(a?.next_attempt_at ?? "")).toBeLessThan(Date.now() + 5_100);
      // Not due yet: nothing to claim.
      expect(await ctx.h.store.claimRun(ex, run.run_id, claimBody())).toBeUndefined();
      const r2 = await ctx.h.store.complete(ex, run.run_id, {
        lease_token: lb.lease_token,
        status: "failed",
        error: { message: "bad input", code: "schema", retryable: false },
      });
      expect(r2.phases.map((p) => p.status)).toEqual(["runnable", "failed", "skipped"]);
      expect(r2.status).toBe("running");
      // The independent phase still runs; the run fails once it is done.
      await makeDue(run.run_id);
      const la2 = await ctx.h.store.claimRun(ex, run.run_id, claimBody());
      expect(la2?.attempt).toBe(2);
      const r3 = await ctx.h.store.complete(ex, run.run_id, {
        lease_token: la2?.lease_token ?? "",
        status: "succeeded",
        output_manifest: { out: "sha256:1" },
      });
      expect(r3.status).toBe("failed");
      expect(r3.output_manifest).toEqual({ phases: { a: { out: "sha256:1" }, b: null, c: null } });
    });
  });
}
