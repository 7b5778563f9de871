import { randomUUID } from "node:crypto";
import { RunSchema } from "@controlroom/contract";
import { describe, expect, it } from "vitest";
import { expectCode } from "../expect-error.js";
import { asRole, claimBody, claimsFor, phase, runBody, trail } from "../fixtures.js";
import type { SuiteContext } from "../ops-store-suite.js";

/** Creating, reading, listing and cancelling runs; role checks. */
export function runsSuite(ctx: SuiteContext): void {
  describe("runs", () => {
    it("creates a run with phases in order, dependencies resolved and roots runnable", async () => {
      const op = claimsFor("operator");
      const { run, created } = await ctx.h.store.createRun(
        op,
        runBody([
          phase("ingest"),
          phase("validate"),
          phase("side", { depends_on: [] }),
          phase("gold", { depends_on: ["validate", "side"] }),
        ]),
        undefined,
      );
      expect(created).toBe(true);
      const parsed = RunSchema.parse(run);
      expect(parsed.status).toBe("queued");
      expect(parsed.tenant_id).toBe(op.tenant_id);
      expect(parsed.phases.map((p) => [p.name, p.depends_on, p.status])).toEqual([
        ["ingest", [], "runnable"],
        ["validate", ["ingest"], "pending"],
        ["side", [], "runnable"],
        ["gold", ["validate", "side"], "pending"],
      ]);
      expect(parsed.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(parsed.run_id[14]).toBe("7");
      const events = await ctx.h.store.listEvents(op, run.run_id, 0, 100);
      expect(trail(events.items)).toEqual(["RUN_CREATED"]);
    });

    it("is idempotent under an idempotency key, and refuses the key for another body", async () => {
      const op = claimsFor("operator");
      const key = randomUUID();
      const body = runBody([phase("a")]);
      const first = await ctx.h.store.createRun(op, body, key);
      const again = await ctx.h.store.createRun(op, runBody([phase("a")]), key);
      expect(first.created).toBe(true);
      expect(again.created).toBe(false);
      expect(again.run.run_id).toBe(first.run.run_id);
      await expectCode(
        ctx.h.store.createRun(op, runBody([phase("a")], { environment: "prod" }), key),
        "idempotency_conflict",
      );
      // Concurrent repeats of one key still make one run.
      const key2 = randomUUID();
      const many = await Promise.all(
        Array.from({ length: 8 }, () => ctx.h.store.createRun(op, body, key2)),
      );
      expect(new Set(many.map((r) => r.run.run_id)).size).toBe(1);
      expect(many.filter((r) => r.created)).toHaveLength(1);
      const list = await ctx.h.store.listRuns(op, { limit: 50 });
      expect(list.items).toHaveLength(2);
    });

    it("enforces roles: viewers read only, executors cannot create, operators cannot claim", async () => {
      const op = claimsFor("operator");
      const { run } = await ctx.h.store.createRun(op, runBody([phase("a")]), undefined);
      const viewer = asRole(op, "viewer");
      await expectCode(
        ctx.h.store.createRun(viewer, runBody([phase("a")]), undefined),
        "forbidden",
      );
      await expectCode(ctx.h.store.claimRun(viewer, run.run_id, claimBody()), "forbidden");
      await expectCode(ctx.h.store.cancel(viewer, run.run_id, undefined), "forbidden");
      await expectCode(
        ctx.h.store.createRun(asRole(op, "executor"), runBody([phase("a")]), undefined),
        "forbidden",
      );
      await expectCode(ctx.h.store.claimRun(op, run.run_id, claimBody()), "forbidden");
      expect((await ctx.h.store.getRun(viewer, run.run_id)).run_id).toBe(run.run_id);
      const admin = asRole(op, "admin");
      expect(await ctx.h.store.claimRun(admin, run.run_id, claimBody())).toBeDefined();
    });

    it("answers not_found for unknown runs and validation_failed for a bad cursor", async () => {
      const viewer = claimsFor("viewer");
      await expectCode(ctx.h.store.getRun(viewer, randomUUID()), "not_found");
      await expectCode(ctx.h.store.listEvents(viewer, randomUUID(), 0, 10), "not_found");
      await expectCode(
        ctx.h.store.listRuns(viewer, { limit: 10, cursor: "not-a-cursor" }),
        "validation_failed",
      );
    });

    it("lists runs newest first with filters and a cursor", async () => {
      const op = claimsFor("operator");
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const env = i % 2 === 0 ? "dev" : "prod";
        const { run } = await ctx.h.store.createRun(
          op,
          runBody([phase("a")], { environment: env }),
          undefined,
        );
        ids.push(run.run_id);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await ctx.h.store.listRuns(op, { limit: 2, cursor });
        seen.push(...page.items.map((r) => r.run_id));
        cursor = page.next_cursor ?? undefined;
      } while (cursor !== undefined);
      expect(seen).toEqual([...ids].reverse());
      const prod = await ctx.h.store.listRuns(op, { limit: 10, environment: "prod" });
      expect(prod.items.map((r) => r.run_id)).toEqual([ids[3], ids[1]]);
      const none = await ctx.h.store.listRuns(op, { limit: 10, status: "succeeded" });
      expect(none.items).toEqual([]);
    });

    it("cancels a queued run at once", async () => {
      const op = claimsFor("operator");
      const { run } = await ctx.h.store.createRun(op, runBody([phase("a"), phase("b")]), undefined);
      const cancelled = RunSchema.parse(await ctx.h.store.cancel(op, run.run_id, "not needed"));
      expect(cancelled.status).toBe("cancelled");
      expect(cancelled.cancel_requested).toBe(true);
      expect(cancelled.phases.map((p) => p.status)).toEqual(["cancelled", "cancelled"]);
      const events = await ctx.h.store.listEvents(op, run.run_id, 0, 100);
      expect(trail(events.items)).toEqual([
        "RUN_CREATED",
        "PHASE_CANCELLED:a",
        "PHASE_CANCELLED:b",
        "RUN_CANCELLED",
      ]);
      expect(events.items.at(-1)?.payload).toMatchObject({ reason: "not needed" });
      // Cancelling again changes nothing; nothing is claimable.
      await ctx.h.store.cancel(op, run.run_id, undefined);
      expect((await ctx.h.store.listEvents(op, run.run_id, 0, 100)).items).toHaveLength(4);
      expect(
        await ctx.h.store.claimRun(asRole(op, "executor"), run.run_id, claimBody()),
      ).toBeUndefined();
    });

    it("lets a running phase finish after a cancel, which it learns from its heartbeat", async () => {
      const op = claimsFor("operator");
      const ex = asRole(op, "executor");
      const { run } = await ctx.h.store.createRun(op, runBody([phase("a"), phase("b")]), undefined);
      const lease = await ctx.h.store.claimRun(ex, run.run_id, claimBody());
      if (!lease) throw new Error("no lease");
      const hb1 = await ctx.h.store.heartbeat(ex, run.run_id, { lease_token: lease.lease_token });
      expect(hb1.cancel_requested).toBe(false);
      const during = await ctx.h.store.cancel(op, run.run_id, "stop");
      expect(during.status).toBe("running");
      expect(during.phases.map((p) => p.status)).toEqual(["running", "cancelled"]);
      const hb2 = await ctx.h.store.heartbeat(ex, run.run_id, { lease_token: lease.lease_token });
      expect(hb2.cancel_requested).toBe(true);
      const done = await ctx.h.store.complete(ex, run.run_id, {
        lease_token: lease.lease_token,
        status: "failed",
        error: { message: "cancelled by request" },
      });
      expect(done.status).toBe("cancelled");
      expect(done.phases.map((p) => p.status)).toEqual(["cancelled", "cancelled"]);
      const events = await ctx.h.store.listEvents(op, run.run_id, 0, 100);
      expect(trail(events.items)).toEqual([
        "RUN_CREATED",
        "RUN_STARTED",
        "PHASE_CLAIMED:a",
        "PHASE_STARTED:a",
        "PHASE_CANCELLED:b",
        "PHASE_CANCELLED:a",
        "RUN_CANCELLED",
      ]);
    });

    it("reports metrics across tenants and wakes listeners on new work and events", async () => {
      const signals: string[] = [];
      const unsubscribe = ctx.h.store.onWake((signal) =>
        signals.push(signal.kind === "events" ? `events:${signal.runId}` : "runnable"),
      );
      const a = claimsFor("admin");
      const b = claimsFor("admin");
      const { run } = await ctx.h.store.createRun(a, runBody([phase("x")]), undefined);
      await ctx.h.store.createRun(b, runBody([phase("y"), phase("z")]), undefined);
      const lease = await ctx.h.store.claimRun(a, run.run_id, claimBody());
      expect(lease).toBeDefined();
      await waitFor(() => signals.includes("runnable") && signals.includes(`events:${run.run_id}`));
      unsubscribe();
      const metrics = await ctx.h.store.metrics();
      expect(metrics.runsByStatus).toEqual({ running: 1, queued: 1 });
      expect(metrics.phasesByStatus).toEqual({ claimed: 1, runnable: 1, pending: 1 });
      expect(metrics.queueDepth).toBe(1);
      expect(metrics.claimWait.count).toBe(1);
      const buckets = metrics.claimWait.buckets;
      expect(buckets.at(-1)?.count).toBe(1);
      expect(buckets.map((x) => x.count)).toEqual(
        [...buckets.map((x) => x.count)].sort((x, y) => x - y),
      );
    });
  });
}

async function waitFor(predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for a wake-up");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
