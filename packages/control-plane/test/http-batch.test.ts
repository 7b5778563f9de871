import { randomUUID } from "node:crypto";
import {
  CompleteBatchResponseSchema,
  type Event,
  EventListSchema,
  type Lease,
  LeaseBatchSchema,
  LeaseSchema,
  RunSchema,
} from "@controlroom/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  claimBody,
  createRun,
  createRuns,
  expectCommonHeaders,
  expectProblem,
  type HttpHarness,
  openHttpHarness,
  tenantTokens,
} from "./http-harness.js";
import { pgliteDriver, postgresDriver, type StoreHarness } from "./store-harness.js";
import { runShape, trailShape } from "./trail-shape.js";

// POST /ops/claims/batch and POST /ops/completions through the real app, on both stores:
// each lease and each completion must be what the single-phase endpoints make of it.
const DRIVERS = [pgliteDriver(), postgresDriver()];

for (const driver of DRIVERS) {
  describe.skipIf(!driver.available)(`batch claims and completions on ${driver.name}`, () => {
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
      const res = await post(token, "/ops/claims/batch", claimBody(body));
      expectCommonHeaders(res);
      if (res.status === 204) return [];
      expect(res.status).toBe(200);
      return LeaseBatchSchema.parse(await res.json()).leases;
    }

    async function completeBatch(token: string, completions: object[]) {
      const res = await post(token, "/ops/completions", { completions });
      expect(res.status).toBe(200);
      return CompleteBatchResponseSchema.parse(await res.json()).results;
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

    const succeeded = (lease: Lease) => ({
      run_id: lease.run_id,
      lease_token: lease.lease_token,
      status: "succeeded",
      output: { phase: lease.phase },
      output_manifest: { [lease.phase]: `sha-${lease.run_id}` },
    });

    it("claims up to max_leases, oldest first, and a repeated request_id returns the same leases", async () => {
      const { tenant, executor, viewer } = await tenantTokens(h);
      const runIds = await createRuns(h, tenant, 4);
      const requestId = randomUUID();
      const leases = await claimBatch(executor, {
        request_id: requestId,
        max_leases: 3,
        start: true,
      });
      expect(leases.map((lease) => lease.run_id)).toEqual(runIds.slice(0, 3));
      expect(new Set(leases.map((lease) => lease.lease_token)).size).toBe(3);
      for (const lease of leases) {
        expect(lease).toMatchObject({ phase: "only", attempt: 1, started: true });
        expect((await getRun(viewer, lease.run_id)).phases[0]?.status).toBe("running");
      }
      const before = await Promise.all(runIds.map((id) => trail(viewer, id)));

      const again = await claimBatch(executor, {
        request_id: requestId,
        max_leases: 3,
        start: true,
      });
      expect(again).toEqual(leases);
      // The repeat wrote nothing and took nothing more: the fourth run is still runnable.
      expect(await Promise.all(runIds.map((id) => trail(viewer, id)))).toEqual(before);
      expect((await getRun(viewer, runIds[3]!)).phases[0]?.status).toBe("runnable");

      // Fewer runnable than asked for: the batch takes what there is, then nothing is left.
      const rest = await claimBatch(executor, { max_leases: 5 });
      expect(rest.map((lease) => [lease.run_id, lease.started ?? false])).toEqual([
        [runIds[3], false],
      ]);
      expect(await claimBatch(executor, { max_leases: 5 })).toEqual([]);
    });

    it("applies the good completions, rejects the refused ones in place, and a repeat has no second effect", async () => {
      const { tenant, executor, viewer } = await tenantTokens(h);
      const runIds = await createRuns(h, tenant, 3);
      const leases = await claimBatch(executor, { max_leases: 3, start: true });
      expect(leases.map((lease) => lease.run_id)).toEqual(runIds);
      const [first, second, third] = leases as [Lease, Lease, Lease];
      const missingRun = randomUUID();
      const completions = [
        succeeded(first),
        { ...succeeded(second), lease_token: `${second.lease_token}-bogus` },
        succeeded(third),
        { ...succeeded(third), run_id: missingRun },
      ];

      // Another tenant cannot complete these leases, even with the right tokens.
      const stranger = await tenantTokens(h);
      expect(await completeBatch(stranger.executor, [succeeded(first)])).toMatchObject([
        { outcome: "rejected", run_id: first.run_id, error: { code: "not_found", status: 404 } },
      ]);
      expect((await getRun(viewer, first.run_id)).phases[0]?.status).toBe("running");

      const results = await completeBatch(executor, completions);
      expect(results).toMatchObject([
        { outcome: "completed", run_id: first.run_id, phase: "only", run_status: "succeeded" },
        {
          outcome: "rejected",
          run_id: second.run_id,
          lease_token: `${second.lease_token}-bogus`,
          error: { code: "lease_lost", status: 409 },
        },
        { outcome: "completed", run_id: third.run_id, phase: "only", run_status: "succeeded" },
        { outcome: "rejected", run_id: missingRun, error: { code: "not_found", status: 404 } },
      ]);
      // Each refusal is the problem document the single complete answers.
      for (const index of [1, 3]) {
        const completion = completions[index]!;
        const single = await post(executor, `/ops/runs/${completion.run_id}/complete`, {
          ...completion,
          run_id: undefined,
        });
        const result = results[index]!;
        if (result.outcome !== "rejected") throw new Error("expected a rejection");
        expect(result.error).toEqual(await single.json());
      }
      // The refused one left its run alone: still running under its real lease.
      expect((await getRun(viewer, second.run_id)).phases[0]?.status).toBe("running");

      const done = [first.run_id, third.run_id];
      const before = await Promise.all(done.map((id) => trail(viewer, id)));
      for (const events of before) {
        expect(events.map((event) => event.type)).toEqual([
          "RUN_CREATED",
          "RUN_STARTED",
          "PHASE_CLAIMED",
          "PHASE_STARTED",
          "PHASE_SUCCEEDED",
          "RUN_SUCCEEDED",
        ]);
        expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      }

      const repeated = await completeBatch(executor, completions);
      expect(repeated).toEqual(results);
      expect(await Promise.all(done.map((id) => trail(viewer, id)))).toEqual(before);

      // The lease the bogus token missed still completes, alone, in a batch of its own.
      const [last] = await completeBatch(executor, [succeeded(second)]);
      expect(last).toMatchObject({ outcome: "completed", run_status: "succeeded" });
    });

    it("leaves the same runs and trails as single claims and completes", async () => {
      const phases = ["extract", "transform", "load"];
      // The same output for both runs, so that the runs can be compared whole.
      const complete = (lease: Lease) => ({
        ...succeeded(lease),
        output_manifest: { [lease.phase]: "sha" },
      });

      const one = await tenantTokens(h);
      const singleRun = await createRun(h, one.tenant, phases);
      for (const _phase of phases) {
        const res = await post(one.executor, "/ops/claims", claimBody({ start: true }));
        const lease = LeaseSchema.parse(await res.json());
        const { run_id: _runId, ...body } = complete(lease);
        expect((await post(one.executor, `/ops/runs/${singleRun}/complete`, body)).status).toBe(
          200,
        );
      }

      const many = await tenantTokens(h);
      const batchRun = await createRun(h, many.tenant, phases);
      for (const _phase of phases) {
        const leases = await claimBatch(many.executor, { max_leases: 10, start: true });
        expect(leases).toHaveLength(1); // a chain: one phase is runnable at a time
        const results = await completeBatch(many.executor, leases.map(complete));
        expect(results.map((result) => result.outcome)).toEqual(["completed"]);
      }

      const singleTrail = trailShape(await trail(one.viewer, singleRun));
      const batchTrail = trailShape(await trail(many.viewer, batchRun));
      expect(batchTrail).toEqual(singleTrail);
      expect(batchTrail.map((event) => [event.type, event.phase])).toEqual([
        ["RUN_CREATED", null],
        ["RUN_STARTED", null],
        ...phases.flatMap((phase) => [
          ["PHASE_CLAIMED", phase],
          ["PHASE_STARTED", phase],
          ["PHASE_SUCCEEDED", phase],
        ]),
        ["RUN_SUCCEEDED", null],
      ]);
      expect(batchTrail.map((event) => event.seq)).toEqual(batchTrail.map((_, i) => i + 1));
      expect(runShape(await getRun(many.viewer, batchRun))).toEqual(
        runShape(await getRun(one.viewer, singleRun)),
      );
    });

    const log = (lease: Lease, message: string, eventId = randomUUID()) => ({
      event_id: eventId,
      phase: lease.phase,
      type: "LOG",
      ts: new Date().toISOString(),
      level: "info",
      message,
      payload: { message },
    });

    it("appends each completion's events just before its verdict, once, whatever the verdict", async () => {
      const { tenant, executor, viewer } = await tenantTokens(h);
      const runIds = await createRuns(h, tenant, 4);
      const leases = await claimBatch(executor, { max_leases: 4, start: true });
      expect(leases.map((lease) => lease.run_id)).toEqual(runIds);
      const [ok, lost, failing, quiet] = leases as [Lease, Lease, Lease, Lease];

      // One of ok's events already went out (a background flush of the event buffer).
      const early = log(ok, "early");
      const appended = await post(executor, `/ops/runs/${ok.run_id}/events`, { events: [early] });
      expect(await appended.json()).toEqual({ accepted: 1, duplicates: 0 });
      const late = log(ok, "late");
      const completions = [
        {
          run_id: ok.run_id,
          lease_token: ok.lease_token,
          status: "succeeded",
          output: {},
          // The early event again, and the late one twice: one new event.
          events: [early, late, late],
        },
        {
          run_id: lost.run_id,
          lease_token: `${lost.lease_token}-bogus`,
          status: "succeeded",
          output: {},
          events: [log(lost, "logged before the lease was lost")],
        },
        {
          run_id: failing.run_id,
          lease_token: failing.lease_token,
          status: "failed",
          error: { message: "boom", retryable: false },
          events: [log(failing, "about to fail")],
        },
        // No events: no `events` in its result.
        { run_id: quiet.run_id, lease_token: quiet.lease_token, status: "succeeded", output: {} },
        {
          run_id: randomUUID(),
          lease_token: ok.lease_token,
          status: "succeeded",
          output: {},
          events: [log(ok, "for a run that does not exist")],
        },
      ];
      const results = await completeBatch(executor, completions);
      expect(results).toEqual([
        expect.objectContaining({
          outcome: "completed",
          run_status: "succeeded",
          events: { accepted: 1, duplicates: 2 },
        }),
        expect.objectContaining({
          outcome: "rejected",
          error: expect.objectContaining({ code: "lease_lost" }),
          events: { accepted: 1, duplicates: 0 },
        }),
        expect.objectContaining({
          outcome: "completed",
          run_status: "failed",
          events: { accepted: 1, duplicates: 0 },
        }),
        expect.not.objectContaining({ events: expect.anything() }),
        expect.not.objectContaining({ events: expect.anything() }),
      ]);
      expect(results[3]).toMatchObject({ outcome: "completed", run_status: "succeeded" });
      expect(results[4]).toMatchObject({
        outcome: "rejected",
        error: expect.objectContaining({ code: "not_found" }),
      });

      const okTrail = await trail(viewer, ok.run_id);
      expect(okTrail.map((event) => [event.type, event.message])).toEqual([
        ["RUN_CREATED", expect.any(String)],
        ["RUN_STARTED", expect.any(String)],
        ["PHASE_CLAIMED", expect.any(String)],
        ["PHASE_STARTED", expect.any(String)],
        ["LOG", "early"],
        ["LOG", "late"],
        ["PHASE_SUCCEEDED", expect.any(String)],
        ["RUN_SUCCEEDED", expect.any(String)],
      ]);
      expect(okTrail.map((event) => event.seq)).toEqual(okTrail.map((_, i) => i + 1));
      // Stored as sent: the client's id, time, level and payload.
      expect(okTrail[5]).toMatchObject({
        event_id: late.event_id,
        ts: late.ts,
        phase: ok.phase,
        level: "info",
        payload: { message: "late" },
      });

      // The lost lease kept its attempt's event; its phase still runs under the real lease.
      expect((await trail(viewer, lost.run_id)).map((event) => event.type)).toEqual([
        "RUN_CREATED",
        "RUN_STARTED",
        "PHASE_CLAIMED",
        "PHASE_STARTED",
        "LOG",
      ]);
      expect((await getRun(viewer, lost.run_id)).phases[0]?.status).toBe("running");

      // A failure's events come before PHASE_FAILED.
      const failedTypes = (await trail(viewer, failing.run_id)).map((event) => event.type);
      expect(failedTypes.indexOf("LOG")).toBe(failedTypes.indexOf("PHASE_FAILED") - 1);
      expect(failedTypes.indexOf("PHASE_STARTED")).toBe(failedTypes.indexOf("LOG") - 1);

      // The whole request again: the same verdicts, every event a duplicate, no trail grows.
      const trails = await Promise.all(leases.map((lease) => trail(viewer, lease.run_id)));
      const repeated = await completeBatch(executor, completions);
      expect(repeated.map((result) => [result.outcome, result.events])).toEqual([
        ["completed", { accepted: 0, duplicates: 3 }],
        ["rejected", { accepted: 0, duplicates: 1 }],
        ["completed", { accepted: 0, duplicates: 1 }],
        ["completed", undefined],
        ["rejected", undefined],
      ]);
      expect(await Promise.all(leases.map((lease) => trail(viewer, lease.run_id)))).toEqual(trails);
    });

    it("refuses events that are not events, and more than an append may carry", async () => {
      const { tenant, executor } = await tenantTokens(h);
      await createRuns(h, tenant, 1);
      const [lease] = (await claimBatch(executor, { max_leases: 1, start: true })) as [Lease];
      const completion = {
        run_id: lease.run_id,
        lease_token: lease.lease_token,
        status: "succeeded",
        output: {},
      };
      const bad = await post(executor, "/ops/completions", {
        completions: [{ ...completion, events: [{ type: "LOG", message: "no id, no time" }] }],
      });
      expect(bad.status).toBe(400);
      const many = Array.from({ length: 1001 }, (_, i) => log(lease, String(i)));
      const tooMany = await post(executor, "/ops/completions", {
        completions: [{ ...completion, events: many }],
      });
      expect(tooMany.status).toBe(400);
      // Neither touched the attempt: it still completes.
      expect(await completeBatch(executor, [completion])).toMatchObject([{ outcome: "completed" }]);
    });

    it("a long-polled batch claim answers as soon as work appears", async () => {
      const { tenant, executor } = await tenantTokens(h);
      const started = Date.now();
      const pending = claimBatch(executor, { max_leases: 5, wait_ms: 20_000 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const runId = await createRun(h, tenant, ["only"]);
      const leases = await pending;
      expect(leases.map((lease) => lease.run_id)).toEqual([runId]);
      expect(Date.now() - started).toBeLessThan(4_000);
    });

    it("refuses batches out of bounds, and callers without the executor role", async () => {
      const { executor, viewer } = await tenantTokens(h);
      for (const max_leases of [0, 101]) {
        const res = await post(executor, "/ops/claims/batch", claimBody({ max_leases }));
        const problem = await expectProblem(res, 400, "validation_failed");
        expect(problem.errors?.map((issue) => issue.path)).toContain("body.max_leases");
      }
      await expectProblem(
        await post(executor, "/ops/completions", { completions: [] }),
        400,
        "validation_failed",
      );
      const tooMany = Array.from({ length: 101 }, () => ({
        run_id: randomUUID(),
        lease_token: "t",
        status: "succeeded",
      }));
      await expectProblem(
        await post(executor, "/ops/completions", { completions: tooMany }),
        400,
        "validation_failed",
      );
      await expectProblem(
        await post(viewer, "/ops/claims/batch", claimBody({ max_leases: 1 })),
        403,
        "forbidden",
      );
      await expectProblem(
        await post(viewer, "/ops/completions", {
          completions: [{ run_id: randomUUID(), lease_token: "t", status: "succeeded" }],
        }),
        403,
        "forbidden",
      );
    });
  });
}
