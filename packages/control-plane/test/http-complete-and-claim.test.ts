import { randomUUID } from "node:crypto";
import {
  CompleteBatchResponseSchema,
  type Event,
  EventListSchema,
  type Lease,
  LeaseBatchSchema,
  RunSchema,
} from "@controlroom/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  claimBody,
  createRun,
  createRunBody,
  createRuns,
  expectCommonHeaders,
  expectProblem,
  type HttpHarness,
  openHttpHarness,
  tenantTokens,
} from "./http-harness.js";
import { pgliteDriver, postgresDriver, type StoreHarness } from "./store-harness.js";
import { runShape, trailShape } from "./trail-shape.js";

// POST /ops/completions with a `claim`: the completions, then the claim, in one
// transaction, each half exactly what POST /ops/completions and POST /ops/claims/batch
// make of it alone. On both stores, through the real app.
const DRIVERS = [pgliteDriver(), postgresDriver()];

for (const driver of DRIVERS) {
  describe.skipIf(!driver.available)(`completions that claim on ${driver.name}`, () => {
    let db: StoreHarness;
    let h: HttpHarness;
    beforeAll(async () => {
      await driver.prepare();
      db = await driver.open();
      // Polls only every 5 s: a quick long-poll answer can only come from a wake-up.
      h = await openHttpHarness({ longPollIntervalMs: 5_000 }, db.store);
    });
    afterAll(async () => {
      await h?.close();
      await db?.close();
      await driver.dispose();
    });

    const post = (token: string, path: string, body: unknown) =>
      h.call("POST", path, { token, body });

    async function claimBatch(token: string, body: object): Promise<Lease[]> {
      const res = await post(token, "/ops/claims/batch", claimBody({ start: true, ...body }));
      if (res.status === 204) return [];
      expect(res.status).toBe(200);
      return LeaseBatchSchema.parse(await res.json()).leases;
    }

    /** POST /ops/completions with a claim; answers the parsed body. */
    async function completeAndClaim(token: string, completions: object[], claim: object) {
      const res = await post(token, "/ops/completions", { completions, claim });
      expectCommonHeaders(res);
      expect(res.status).toBe(200);
      const answer = CompleteBatchResponseSchema.parse(await res.json());
      expect(answer.leases).toBeDefined();
      return answer as typeof answer & { leases: Lease[] };
    }

    async function trail(token: string, runId: string): Promise<Event[]> {
      const res = await h.call("GET", `/ops/runs/${runId}/events?limit=1000`, { token });
      expect(res.status).toBe(200);
      return EventListSchema.parse(await res.json()).items;
    }

    async function getRun(token: string, runId: string) {
      const res = await h.call("GET", `/ops/runs/${runId}`, { token });
      expect(res.status).toBe(200);
      return RunSchema.parse(await res.json());
    }

    /** The transaction that last wrote an attempt's row (its `xmin`). */
    async function writtenBy(leaseToken: string): Promise<string> {
      const rows = await db.owner<{ xid: string }>(
        "select xmin::text as xid from ops.phase_attempts where lease_token = $1",
        [leaseToken],
      );
      expect(rows).toHaveLength(1);
      return rows[0]!.xid;
    }

    const succeeded = (lease: Lease) => ({
      run_id: lease.run_id,
      lease_token: lease.lease_token,
      status: "succeeded",
      output: { phase: lease.phase },
      output_manifest: { [lease.phase]: "sha" },
    });
    const claimOf = (extra: object = {}) => {
      const { request_id, executor_id, capabilities, environments } = claimBody();
      return { executor_id, capabilities, environments, request_id, start: true, ...extra };
    };

    it("completes, then claims in the same transaction: the dependant the completion unblocked is leased", async () => {
      const { tenant, executor, viewer } = await tenantTokens(h);
      const runId = await createRun(h, tenant, ["extract", "load"]);
      const [extract] = await claimBatch(executor, { max_leases: 5 });
      expect(extract).toMatchObject({ run_id: runId, phase: "extract" });

      const answer = await completeAndClaim(
        executor,
        [succeeded(extract!)],
        claimOf({ max_leases: 5 }),
      );
      expect(answer.results).toMatchObject([
        { outcome: "completed", run_id: runId, phase: "extract", run_status: "running" },
      ]);
      expect(answer.leases).toHaveLength(1);
      const [load] = answer.leases as [Lease];
      expect(load).toMatchObject({ run_id: runId, phase: "load", attempt: 1, started: true });
      expect(load.upstream_outputs).toEqual({ extract: { phase: "extract" } });
      // One transaction wrote the end of the first attempt and the second one.
      expect(await writtenBy(load.lease_token)).toBe(await writtenBy(extract!.lease_token));

      expect((await trail(viewer, runId)).map((event) => [event.type, event.phase])).toEqual([
        ["RUN_CREATED", null],
        ["RUN_STARTED", null],
        ["PHASE_CLAIMED", "extract"],
        ["PHASE_STARTED", "extract"],
        ["PHASE_SUCCEEDED", "extract"],
        ["PHASE_CLAIMED", "load"],
        ["PHASE_STARTED", "load"],
      ]);
      expect((await getRun(viewer, runId)).phases.map((phase) => phase.status)).toEqual([
        "succeeded",
        "running",
      ]);
    });

    // A fresh claim builds its leases from the rows it writes; a repeat reads them back
    // with ops.lease_json. Both must answer the same lease, with every field filled.
    it("answers a fresh claim's leases as its repeat does, spec, run and upstream outputs included", async () => {
      const { tenant, executor } = await tenantTokens(h);
      const spec = createRunBody(["extract", "load"], {
        input_manifest: { orders: "sha-orders" },
        phases: [
          {
            name: "extract",
            kind: "ingest",
            timeout_seconds: 120,
            retry: { max_attempts: 5, initial_interval_ms: 10, max_interval_ms: 1_000 },
            requires: ["duckdb"],
            params: { table: "sale_order" },
          },
          { name: "load", kind: "publish", depends_on: ["extract"], params: { mode: "merge" } },
        ],
      });
      const created = await post(await h.token(tenant, "operator"), "/ops/runs", spec);
      expect(created.status).toBe(201);
      const capable = { capabilities: ["duckdb"], lease_seconds: 90 };

      const first = claimOf({ max_leases: 2, ...capable });
      const [extract] = await claimBatch(executor, first);
      expect(await claimBatch(executor, first)).toEqual([extract]);
      expect(extract).toMatchObject({
        phase: "extract",
        spec_slug: "http-test",
        input_manifest: { orders: "sha-orders" },
        phase_spec: { kind: "ingest", requires: ["duckdb"], params: { table: "sale_order" } },
        upstream_outputs: {},
      });

      const claim = claimOf({ max_leases: 2, ...capable });
      const answer = await completeAndClaim(executor, [succeeded(extract!)], claim);
      expect(answer.leases).toHaveLength(1);
      expect(answer.leases[0]).toMatchObject({
        phase: "load",
        phase_spec: { depends_on: ["extract"], params: { mode: "merge" } },
        upstream_outputs: { extract: { phase: "extract" } },
      });
      expect(await completeAndClaim(executor, [succeeded(extract!)], claim)).toEqual(answer);
    });

    it("is one transaction: a claim that fails undoes the completions", async () => {
      const { tenant, executor, viewer } = await tenantTokens(h);
      const [runId] = await createRuns(h, tenant, 1);
      const [lease] = await claimBatch(executor, { max_leases: 1 });
      // Past the HTTP validation only by calling the function itself: p_max 0 is refused.
      const claims = { sub: "executor-test", tenant_id: tenant, role: "executor" as const };
      await expect(
        db.asCaller(
          claims,
          `select ops.complete_and_claim_phases($1::text::jsonb, 'w', '{}', '{dev}', $2::uuid,
                                                null, true, 0)`,
          [JSON.stringify([succeeded(lease!)]), randomUUID()],
        ),
      ).rejects.toThrow(/max_leases/);
      expect((await getRun(viewer, runId!)).phases[0]?.status).toBe("running");
      expect((await trail(viewer, runId!)).map((event) => event.type)).not.toContain(
        "PHASE_SUCCEEDED",
      );
    });

    it("a repeat of the request answers the same results and leases and claims nothing more", async () => {
      const { tenant, executor, viewer } = await tenantTokens(h);
      const runIds = await createRuns(h, tenant, 4);
      const [first] = await claimBatch(executor, { max_leases: 1 });
      expect(first?.run_id).toBe(runIds[0]);
      const completions = [succeeded(first!)];
      const claim = claimOf({ max_leases: 2 });

      const answer = await completeAndClaim(executor, completions, claim);
      expect(answer.results).toMatchObject([{ outcome: "completed", run_status: "succeeded" }]);
      expect(answer.leases.map((lease) => lease.run_id)).toEqual(runIds.slice(1, 3));
      const before = await Promise.all(runIds.map((id) => trail(viewer, id)));

      const again = await completeAndClaim(executor, completions, claim);
      expect(again).toEqual(answer);
      expect(await Promise.all(runIds.map((id) => trail(viewer, id)))).toEqual(before);
      expect((await getRun(viewer, runIds[3]!)).phases[0]?.status).toBe("runnable");

      // A claim that finds nothing answers no leases, and still completes.
      const rest = await claimBatch(executor, { max_leases: 5 });
      expect(rest.map((lease) => lease.run_id)).toEqual([runIds[3]]);
      const last = await completeAndClaim(
        executor,
        [...answer.leases, ...rest].map(succeeded),
        claimOf({ max_leases: 3 }),
      );
      expect(last.results.map((result) => result.outcome)).toEqual(Array(3).fill("completed"));
      expect(last.leases).toEqual([]);
    });

    it("leaves the same runs and trails as a completion request and a claim request", async () => {
      const phases = ["extract", "transform", "load"];
      const separate = await tenantTokens(h);
      const together = await tenantTokens(h);
      const separateRuns = await createRuns(h, separate.tenant, 2, phases);
      const togetherRuns = await createRuns(h, together.tenant, 2, phases);

      // The same steps for both tenants: each round ends what the last one leased.
      let leases = await claimBatch(separate.executor, { max_leases: 4 });
      for (let round = 0; round <= phases.length; round++) {
        const res = await post(separate.executor, "/ops/completions", {
          completions: leases.map(succeeded),
        });
        expect(res.status).toBe(200);
        leases = await claimBatch(separate.executor, { max_leases: 4 });
        if (leases.length === 0) break;
      }
      leases = await claimBatch(together.executor, { max_leases: 4 });
      let rounds = 0;
      while (leases.length > 0) {
        const answer = await completeAndClaim(
          together.executor,
          leases.map(succeeded),
          claimOf({ max_leases: 4 }),
        );
        expect(answer.results.map((result) => result.outcome)).toEqual(
          leases.map(() => "completed"),
        );
        leases = answer.leases;
        rounds++;
      }
      expect(rounds).toBe(phases.length);

      for (const [index, runId] of togetherRuns.entries()) {
        const mine = trailShape(await trail(together.viewer, runId));
        expect(mine).toEqual(trailShape(await trail(separate.viewer, separateRuns[index]!)));
        expect(mine.map((event) => event.seq)).toEqual(mine.map((_, i) => i + 1));
        expect(runShape(await getRun(together.viewer, runId))).toEqual(
          runShape(await getRun(separate.viewer, separateRuns[index]!)),
        );
      }
    });

    it("still wakes long-polls for what its own claim did not take", async () => {
      const { tenant, executor } = await tenantTokens(h);
      const operator = await h.token(tenant, "operator");
      const created = await post(operator, "/ops/runs", {
        ...createRunBody(),
        phases: [
          { name: "extract", kind: "custom" },
          { name: "render", kind: "custom", depends_on: ["extract"], requires: ["gpu"] },
        ],
      });
      expect(created.status).toBe(201);
      const runId = ((await created.json()) as { run_id: string }).run_id;
      const [extract] = await claimBatch(executor, { max_leases: 1 });

      const started = Date.now();
      const waiting = claimBatch(executor, {
        capabilities: ["gpu"],
        max_leases: 1,
        wait_ms: 20_000,
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      // This claimer cannot run `render`: it takes nothing, and the waiting one is woken.
      const answer = await completeAndClaim(
        executor,
        [succeeded(extract!)],
        claimOf({ max_leases: 1 }),
      );
      expect(answer.leases).toEqual([]);
      const woken = await waiting;
      expect(woken.map((lease) => [lease.run_id, lease.phase])).toEqual([[runId, "render"]]);
      expect(Date.now() - started).toBeLessThan(4_000);
    });

    it("claims only the caller's tenant's phases and completes only its leases", async () => {
      const owner = await tenantTokens(h);
      const stranger = await tenantTokens(h);
      const [runId] = await createRuns(h, owner.tenant, 2);
      const [lease] = await claimBatch(owner.executor, { max_leases: 1 });
      expect(lease?.run_id).toBe(runId);

      const answer = await completeAndClaim(
        stranger.executor,
        [succeeded(lease!)],
        claimOf({ max_leases: 5 }),
      );
      expect(answer.results).toMatchObject([
        { outcome: "rejected", run_id: runId, error: { code: "not_found", status: 404 } },
      ]);
      expect(answer.leases).toEqual([]);
      expect((await getRun(owner.viewer, runId!)).phases[0]?.status).toBe("running");
      expect(await claimBatch(owner.executor, { max_leases: 5 })).toHaveLength(1);
    });

    it("refuses a claim that waits or is out of bounds, and applies nothing", async () => {
      const { tenant, executor, viewer } = await tenantTokens(h);
      const [runId] = await createRuns(h, tenant, 1);
      const [lease] = await claimBatch(executor, { max_leases: 1 });
      const completions = [succeeded(lease!)];
      const refused = [
        [{ max_leases: 1, wait_ms: 1_000 }, "body.claim"],
        [{ max_leases: 0 }, "body.claim.max_leases"],
        [{ max_leases: 101 }, "body.claim.max_leases"],
        [{ max_leases: 1, request_id: "not-a-uuid" }, "body.claim.request_id"],
        [{ max_leases: 1, environments: [] }, "body.claim.environments"],
      ] as const;
      for (const [extra, path] of refused) {
        const res = await post(executor, "/ops/completions", {
          completions,
          claim: claimOf(extra),
        });
        const problem = await expectProblem(res, 400, "validation_failed");
        expect(problem.errors?.map((issue) => issue.path)).toContain(path);
      }
      // max_leases is required: a completion request has no default size to claim.
      await expectProblem(
        await post(executor, "/ops/completions", { completions, claim: claimOf() }),
        400,
        "validation_failed",
      );
      expect((await getRun(viewer, runId!)).phases[0]?.status).toBe("running");
      await expectProblem(
        await post(viewer, "/ops/completions", { completions, claim: claimOf({ max_leases: 1 }) }),
        403,
        "forbidden",
      );
    });
  });
}
