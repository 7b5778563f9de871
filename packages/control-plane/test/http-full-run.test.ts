import { createHash, randomUUID } from "node:crypto";
import { ArtifactSchema, EventListSchema, LeaseSchema, RunSchema } from "@controlroom/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  claimBody,
  createRunBody,
  expectProblem,
  type HttpHarness,
  openHttpHarness,
} from "./http-harness.js";

let h: HttpHarness;
beforeAll(async () => {
  h = await openHttpHarness();
});
afterAll(() => h?.close());

describe("a run driven over HTTP", () => {
  it("goes from create to succeeded with events, artifacts and an output manifest", async () => {
    const tenant = h.newTenant();
    const operator = await h.token(tenant, "operator");
    const executor = await h.token(tenant, "executor");
    const viewer = await h.token(tenant, "viewer");
    const phases = ["ingest", "transform", "publish"];
    const created = await h.call("POST", "/ops/runs", {
      token: operator,
      body: createRunBody(phases),
      headers: { "idempotency-key": randomUUID() },
    });
    const runId = RunSchema.parse(await created.json()).run_id;

    const bytes = Buffer.from("revenue,42\n");
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const done: string[] = [];
    for (const expected of phases) {
      const claim = await h.call("POST", "/ops/claims", { token: executor, body: claimBody() });
      expect(claim.status).toBe(200);
      const lease = LeaseSchema.parse(await claim.json());
      expect(lease.phase).toBe(expected);
      expect(Object.keys(lease.upstream_outputs)).toEqual(done.slice(-1));

      const beat = await h.call("POST", `/ops/runs/${runId}/heartbeat`, {
        token: executor,
        body: { lease_token: lease.lease_token, progress: { fraction: 0.5, message: "halfway" } },
      });
      expect(beat.status).toBe(200);

      const events = await h.call("POST", `/ops/runs/${runId}/events`, {
        token: executor,
        body: {
          events: [
            {
              event_id: randomUUID(),
              phase: expected,
              type: "PHASE_PROGRESS",
              ts: new Date().toISOString(),
              payload: { rows: 1 },
            },
          ],
        },
      });
      expect(await events.json()).toEqual({ accepted: 1, duplicates: 0 });

      if (expected === "publish") {
        const artifact = {
          sha256,
          size_bytes: bytes.byteLength,
          media_type: "text/csv",
          uri: `file:///tmp/artifacts/sha256/${sha256}`,
          link: { run_id: runId, phase: expected, name: "gold/revenue.csv" },
        };
        const registered = await h.call("POST", "/ops/artifacts", {
          token: executor,
          body: artifact,
        });
        expect(registered.status).toBe(201);
        const again = await h.call("POST", "/ops/artifacts", { token: executor, body: artifact });
        expect(again.status).toBe(200);
        const conflict = await h.call("POST", "/ops/artifacts", {
          token: executor,
          body: { ...artifact, size_bytes: artifact.size_bytes + 1 },
        });
        await expectProblem(conflict, 409, "conflict");
      }

      const complete = {
        lease_token: lease.lease_token,
        status: "succeeded",
        output: { phase: expected },
        output_manifest: { [expected]: sha256 },
      };
      const completed = await h.call("POST", `/ops/runs/${runId}/complete`, {
        token: executor,
        body: complete,
      });
      expect(completed.status).toBe(200);
      // A repeat of an accepted complete is 200 with no second effect.
      const repeat = await h.call("POST", `/ops/runs/${runId}/complete`, {
        token: executor,
        body: complete,
      });
      expect(repeat.status).toBe(200);
      done.push(expected);
    }

    const run = RunSchema.parse(
      await (await h.call("GET", `/ops/runs/${runId}`, { token: viewer })).json(),
    );
    expect(run.status).toBe("succeeded");
    expect(run.phases.map((phase) => phase.status)).toEqual([
      "succeeded",
      "succeeded",
      "succeeded",
    ]);
    expect(run.output_manifest).not.toBeNull();
    expect(run.finished_at).not.toBeNull();

    const trail = EventListSchema.parse(
      await (await h.call("GET", `/ops/runs/${runId}/events?limit=1000`, { token: viewer })).json(),
    );
    const types = trail.items.map((event) => event.type);
    expect(types[0]).toBe("RUN_CREATED");
    expect(types.at(-1)).toBe("RUN_SUCCEEDED");
    expect(types.filter((type) => type === "PHASE_CLAIMED")).toHaveLength(3);
    expect(types).toContain("ARTIFACT_REGISTERED");
    expect(trail.items.map((event) => event.seq)).toEqual(trail.items.map((_, i) => i + 1));

    const artifact = ArtifactSchema.parse(
      await (await h.call("GET", `/ops/artifacts/${sha256}`, { token: viewer })).json(),
    );
    expect(artifact.links).toEqual([
      expect.objectContaining({ run_id: runId, phase: "publish", name: "gold/revenue.csv" }),
    ]);

    // Nothing is left to claim.
    expect(
      (await h.call("POST", "/ops/claims", { token: executor, body: claimBody() })).status,
    ).toBe(204);
  });

  it("a failed phase with no attempts left fails the run and skips its dependants", async () => {
    const tenant = h.newTenant();
    const operator = await h.token(tenant, "operator");
    const executor = await h.token(tenant, "executor");
    const body = createRunBody([], {
      phases: [
        { name: "first", kind: "custom", retry: { max_attempts: 1 } },
        { name: "second", kind: "custom" },
      ],
    });
    const runId = RunSchema.parse(
      await (await h.call("POST", "/ops/runs", { token: operator, body })).json(),
    ).run_id;
    const lease = LeaseSchema.parse(
      await (await h.call("POST", "/ops/claims", { token: executor, body: claimBody() })).json(),
    );
    const failed = await h.call("POST", `/ops/runs/${runId}/complete`, {
      token: executor,
      body: { lease_token: lease.lease_token, status: "failed", error: { message: "boom" } },
    });
    expect(failed.status).toBe(200);
    const run = RunSchema.parse(await failed.json());
    expect(run.status).toBe("failed");
    expect(run.phases.map((phase) => phase.status)).toEqual(["failed", "skipped"]);
  });
});
