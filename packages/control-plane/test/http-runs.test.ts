import { randomUUID } from "node:crypto";
import { RunSchema } from "@controlroom/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createRunBody,
  expectCommonHeaders,
  expectProblem,
  type HttpHarness,
  openHttpHarness,
} from "./http-harness.js";

let h: HttpHarness;
beforeAll(async () => {
  h = await openHttpHarness();
});
afterAll(() => h?.close());

describe("POST /ops/runs", () => {
  it("is 201 for a new key, 200 with the same run for a repeat, 409 for another body", async () => {
    const token = await h.token(h.newTenant(), "operator");
    const key = randomUUID();
    const first = await h.call("POST", "/ops/runs", {
      token,
      body: createRunBody(),
      headers: { "idempotency-key": key },
    });
    expect(first.status).toBe(201);
    expectCommonHeaders(first);
    const run = RunSchema.parse(await first.json());
    expect(first.headers.get("location")).toBe(`/ops/runs/${run.run_id}`);
    expect(run.status).toBe("queued");
    expect(run.phases.map((phase) => phase.name)).toEqual(["extract", "load"]);
    // Defaults came from the contract's schemas: depends_on resolved, retry filled in.
    expect(run.phases[1]?.depends_on).toEqual(["extract"]);
    expect(run.phases[0]?.retry.max_attempts).toBeGreaterThan(0);

    const repeat = await h.call("POST", "/ops/runs", {
      token,
      body: createRunBody(),
      headers: { "idempotency-key": key },
    });
    expect(repeat.status).toBe(200);
    expect(((await repeat.json()) as { run_id: string }).run_id).toBe(run.run_id);

    const conflict = await h.call("POST", "/ops/runs", {
      token,
      body: createRunBody(["other"]),
      headers: { "idempotency-key": key },
    });
    await expectProblem(conflict, 409, "idempotency_conflict");
  });

  it("creates a new run each time without a key", async () => {
    const token = await h.token(h.newTenant(), "operator");
    const ids = new Set<string>();
    for (let i = 0; i < 2; i += 1) {
      const res = await h.call("POST", "/ops/runs", { token, body: createRunBody() });
      expect(res.status).toBe(201);
      ids.add(((await res.json()) as { run_id: string }).run_id);
    }
    expect(ids.size).toBe(2);
  });

  it("rejects a phase graph with a cycle, naming the phase", async () => {
    const token = await h.token(h.newTenant(), "operator");
    const res = await h.call("POST", "/ops/runs", {
      token,
      body: createRunBody([], {
        phases: [
          { name: "a", kind: "custom", depends_on: ["b"] },
          { name: "b", kind: "custom", depends_on: ["a"] },
        ],
      }),
    });
    const problem = await expectProblem(res, 400, "validation_failed");
    expect(problem.errors?.some((issue) => issue.path.startsWith("body.phases."))).toBe(true);
  });
});

describe("GET /ops/runs and /ops/runs/{run_id}, cancel", () => {
  it("lists newest first with filters and paging, gets one, cancels one", async () => {
    const tenant = h.newTenant();
    const operator = await h.token(tenant, "operator");
    const viewer = await h.token(tenant, "viewer");
    const created: string[] = [];
    for (const environment of ["dev", "prod", "dev"]) {
      const res = await h.call("POST", "/ops/runs", {
        token: operator,
        body: createRunBody(["one"], { environment }),
      });
      created.push(((await res.json()) as { run_id: string }).run_id);
    }

    const all = await h.call("GET", "/ops/runs", { token: viewer });
    expect(all.status).toBe(200);
    const list = (await all.json()) as { items: { run_id: string }[]; next_cursor: string | null };
    expect(list.items.map((run) => run.run_id)).toEqual([...created].reverse());

    const dev = (await (
      await h.call("GET", "/ops/runs?environment=dev", { token: viewer })
    ).json()) as {
      items: { environment: string }[];
    };
    expect(dev.items).toHaveLength(2);
    expect(dev.items.every((run) => run.environment === "dev")).toBe(true);

    const page1 = (await (await h.call("GET", "/ops/runs?limit=2", { token: viewer })).json()) as {
      items: { run_id: string }[];
      next_cursor: string | null;
    };
    expect(page1.items).toHaveLength(2);
    expect(page1.next_cursor).toEqual(expect.any(String));
    const page2 = (await (
      await h.call("GET", `/ops/runs?limit=2&cursor=${encodeURIComponent(page1.next_cursor!)}`, {
        token: viewer,
      })
    ).json()) as { items: { run_id: string }[] };
    expect(page2.items.map((run) => run.run_id)).toEqual([created[0]]);

    const one = await h.call("GET", `/ops/runs/${created[1]}`, { token: viewer });
    expect(one.status).toBe(200);
    expect(RunSchema.parse(await one.json()).run_id).toBe(created[1]);

    const cancelled = await h.call("POST", `/ops/runs/${created[1]}/cancel`, {
      token: operator,
      body: { reason: "not needed" },
    });
    expect(cancelled.status).toBe(200);
    expect(RunSchema.parse(await cancelled.json()).status).toBe("cancelled");
  });
});
