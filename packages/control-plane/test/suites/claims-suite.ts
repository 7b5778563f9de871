import { randomUUID } from "node:crypto";
import { LeaseSchema } from "@controlroom/contract";
import { describe, expect, it } from "vitest";
import { expectCode } from "../expect-error.js";
import { asRole, claimBody, claimsFor, phase, runBody, trail } from "../fixtures.js";
import type { SuiteContext } from "../ops-store-suite.js";

/** Claims: one lease per phase, idempotent request ids, matching and ordering. */
export function claimsSuite(ctx: SuiteContext): void {
  describe("claims", () => {
    it("gives exactly one lease to 50 concurrent claims on one runnable phase", async () => {
      const ex = claimsFor("executor");
      const { run } = await ctx.h.store.createRun(
        asRole(ex, "operator"),
        runBody([phase("only"), phase("next")]),
        undefined,
      );
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          ctx.h.store.claimRun(ex, run.run_id, claimBody(`exec-${i}`)),
        ),
      );
      const leases = results.filter((lease) => lease !== undefined);
      expect(leases).toHaveLength(1);
      expect(LeaseSchema.parse(leases[0]).attempt).toBe(1);
      const events = await ctx.h.store.listEvents(ex, run.run_id, 0, 100);
      expect(trail(events.items).filter((t) => t.startsWith("PHASE_CLAIMED"))).toHaveLength(1);
      const attempts = await ctx.h.owner<{ n: number }>(
        "select count(*)::int as n from ops.phase_attempts where run_id = $1",
        [run.run_id],
      );
      expect(attempts[0]?.n).toBe(1);
    });

    it("spreads 20 concurrent cross-run claims over 20 phases without a double lease", async () => {
      const ex = claimsFor("executor");
      const op = asRole(ex, "operator");
      const phases = Array.from({ length: 10 }, (_, i) => phase(`p${i}`, { depends_on: [] }));
      await ctx.h.store.createRun(op, runBody(phases), undefined);
      await ctx.h.store.createRun(op, runBody(phases), undefined);
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          ctx.h.store.claim(ex, { ...claimBody(`exec-${i}`), environments: ["dev"] }),
        ),
      );
      const leases = results.filter((lease) => lease !== undefined);
      expect(leases).toHaveLength(20);
      expect(new Set(leases.map((l) => `${l.run_id}/${l.phase}`)).size).toBe(20);
    });

    it("returns the same lease for a repeated request_id, also when repeated concurrently", async () => {
      const ex = claimsFor("executor");
      const { run } = await ctx.h.store.createRun(
        asRole(ex, "operator"),
        runBody([phase("a", { depends_on: [] }), phase("b", { depends_on: [] })]),
        undefined,
      );
      const body = claimBody();
      const first = await ctx.h.store.claimRun(ex, run.run_id, body);
      const again = await ctx.h.store.claimRun(ex, run.run_id, body);
      expect(again).toEqual(first);
      const body2 = claimBody("exec-2");
      const concurrent = await Promise.all(
        Array.from({ length: 10 }, () => ctx.h.store.claimRun(ex, run.run_id, body2)),
      );
      expect(new Set(concurrent.map((l) => l?.lease_token)).size).toBe(1);
      expect(concurrent[0]?.phase).not.toBe(first?.phase);
      // Both phases are taken: a fresh request id gets nothing.
      expect(await ctx.h.store.claimRun(ex, run.run_id, claimBody())).toBeUndefined();
    });

    it("matches requires against capabilities and environments, oldest runnable first", async () => {
      const ex = claimsFor("executor");
      const op = asRole(ex, "operator");
      const { run: older } = await ctx.h.store.createRun(
        op,
        runBody([phase("heavy", { requires: ["trino", "duckdb"] })]),
        undefined,
      );
      const { run: newer } = await ctx.h.store.createRun(op, runBody([phase("light")]), undefined);
      const { run: prod } = await ctx.h.store.createRun(
        op,
        runBody([phase("p")], { environment: "prod" }),
        undefined,
      );
      const small = await ctx.h.store.claim(ex, {
        ...claimBody("small", { capabilities: ["duckdb"] }),
        environments: ["dev"],
      });
      expect(small?.run_id).toBe(newer.run_id);
      const big = await ctx.h.store.claim(ex, {
        ...claimBody("big", { capabilities: ["duckdb", "trino", "spark"] }),
        environments: ["dev", "stage"],
      });
      expect(big?.run_id).toBe(older.run_id);
      expect(
        await ctx.h.store.claim(ex, { ...claimBody("any"), environments: ["dev"] }),
      ).toBeUndefined();
      const p = await ctx.h.store.claim(ex, { ...claimBody("any"), environments: ["prod"] });
      expect(p?.run_id).toBe(prod.run_id);
      await expectCode(ctx.h.store.claimRun(ex, randomUUID(), claimBody()), "not_found");
    });

    it("claims oldest runnable first: by runnable_since, then run id, then phase order", async () => {
      const ex = claimsFor("executor");
      const op = asRole(ex, "operator");
      const independent = (names: string[], extra: { requires?: string[] } = {}) =>
        runBody(names.map((name) => phase(name, { depends_on: [], ...extra })));
      const create = async (names: string[], extra?: { requires?: string[] }) =>
        (await ctx.h.store.createRun(op, independent(names, extra), undefined)).run.run_id;
      const a = await create(["a1", "a2", "a3"]);
      const b = await create(["b1", "b2"]);
      const c = await create(["c1", "c2"]);
      const gpu = await create(["g1"], { requires: ["gpu"] });
      const since = async (runId: string, names: string[], offset: string) =>
        ctx.h.owner(
          `update ops.phases set runnable_since = now() + $3::interval
            where run_id = $1 and name = any ($2::text[])`,
          [runId, names, offset],
        );
      await since(gpu, ["g1"], "-10 minutes"); // oldest, but needs a capability we lack
      await since(b, ["b2"], "-5 minutes");
      await since(c, ["c1", "c2"], "-3 minutes"); // a tie inside one run: phase order
      await since(a, ["a1", "a2"], "-2 minutes"); // a tie across runs: run id order
      await since(b, ["b1"], "-2 minutes");
      await since(a, ["a3"], "1 hour"); // a retry still backing off

      const [lower, higher] = a < b ? [["a1", "a2"], ["b1"]] : [["b1"], ["a1", "a2"]];
      const order: string[] = [];
      for (;;) {
        const lease = await ctx.h.store.claim(ex, { ...claimBody(), environments: ["dev"] });
        if (lease === undefined) break;
        order.push(lease.phase);
      }
      expect(order).toEqual(["b2", "c1", "c2", ...lower, ...higher]);

      // One run's claim keeps the same order among its own phases.
      const d = await create(["d1", "d2", "d3"]);
      await since(d, ["d3"], "-1 minute");
      const ofRun: (string | undefined)[] = [];
      for (let i = 0; i < 4; i++) {
        ofRun.push((await ctx.h.store.claimRun(ex, d, claimBody()))?.phase);
      }
      expect(ofRun).toEqual(["d3", "d1", "d2", undefined]);
    });

    it("clamps short leases to the minimum and says so in expires_at", async () => {
      const ex = claimsFor("executor");
      const { run } = await ctx.h.store.createRun(
        asRole(ex, "operator"),
        runBody([phase("a", { depends_on: [] }), phase("b", { depends_on: [] })]),
        undefined,
      );
      const before = Date.now();
      const short = LeaseSchema.parse(
        await ctx.h.store.claimRun(ex, run.run_id, claimBody("e", { lease_seconds: 1 })),
      );
      const seconds = (Date.parse(short.expires_at) - before) / 1000;
      expect(seconds).toBeGreaterThan(4);
      expect(seconds).toBeLessThan(6.5);
      expect(short.heartbeat_interval_ms).toBe(1666);
      const normal = LeaseSchema.parse(await ctx.h.store.claimRun(ex, run.run_id, claimBody()));
      expect(normal.heartbeat_interval_ms).toBe(20_000);
      expect(normal.spec_slug).toBe("odoo-finance");
      expect(normal.input_manifest).toEqual({ source: "odoo", watermark: "2026-01-01" });
      expect(normal.phase_spec.retry.initial_interval_ms).toBe(10);
      expect(normal.lease_token).not.toBe(short.lease_token);
      expect(normal.lease_token.length).toBeGreaterThanOrEqual(32);
    });
  });
}
