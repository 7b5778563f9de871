import { randomUUID } from "node:crypto";
import { LeaseSchema } from "@controlroom/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpsStore } from "../src/index.js";
import {
  claimBody,
  createRun,
  expectCommonHeaders,
  expectProblem,
  type HttpHarness,
  openHttpHarness,
} from "./http-harness.js";

let h: HttpHarness;
beforeAll(async () => {
  h = await openHttpHarness({ longPollIntervalMs: 5_000 });
});
afterAll(() => h?.close());

describe("claims", () => {
  it("POST /ops/claims is 204 with no body when nothing is runnable, 200 with a lease otherwise", async () => {
    const tenant = h.newTenant();
    const executor = await h.token(tenant, "executor");
    const empty = await h.call("POST", "/ops/claims", { token: executor, body: claimBody() });
    expect(empty.status).toBe(204);
    expectCommonHeaders(empty);
    expect(await empty.text()).toBe("");

    const runId = await createRun(h, tenant);
    const requestId = randomUUID();
    const res = await h.call("POST", "/ops/claims", {
      token: executor,
      body: claimBody({ request_id: requestId }),
    });
    expect(res.status).toBe(200);
    const lease = LeaseSchema.parse(await res.json());
    expect(lease).toMatchObject({ run_id: runId, phase: "extract", attempt: 1 });

    // A repeated request_id is the same lease, never a second one.
    const again = await h.call("POST", "/ops/claims", {
      token: executor,
      body: claimBody({ request_id: requestId }),
    });
    expect(again.status).toBe(200);
    expect(LeaseSchema.parse(await again.json()).lease_token).toBe(lease.lease_token);
  });

  it("POST /ops/runs/{run_id}/claim is 200 then 204 once the run's runnable phase is taken", async () => {
    const tenant = h.newTenant();
    const executor = await h.token(tenant, "executor");
    const runId = await createRun(h, tenant);
    const body = { executor_id: "w1", capabilities: [], request_id: randomUUID() };
    const res = await h.call("POST", `/ops/runs/${runId}/claim`, { token: executor, body });
    expect(res.status).toBe(200);
    expect(LeaseSchema.parse(await res.json())).toMatchObject({ run_id: runId, phase: "extract" });
    const none = await h.call("POST", `/ops/runs/${runId}/claim`, {
      token: executor,
      body: { ...body, request_id: randomUUID() },
    });
    expect(none.status).toBe(204);
  });

  it("heartbeat extends the lease; a wrong lease token is 409 lease_lost", async () => {
    const tenant = h.newTenant();
    const executor = await h.token(tenant, "executor");
    const runId = await createRun(h, tenant);
    const lease = LeaseSchema.parse(
      await (await h.call("POST", "/ops/claims", { token: executor, body: claimBody() })).json(),
    );
    const beat = await h.call("POST", `/ops/runs/${runId}/heartbeat`, {
      token: executor,
      body: { lease_token: lease.lease_token, progress: { fraction: 0.5 } },
    });
    expect(beat.status).toBe(200);
    const answer = (await beat.json()) as { expires_at: string; cancel_requested: boolean };
    expect(answer.cancel_requested).toBe(false);
    expect(Date.parse(answer.expires_at)).toBeGreaterThan(Date.now());

    const stale = await h.call("POST", `/ops/runs/${runId}/heartbeat`, {
      token: executor,
      body: { lease_token: `${lease.lease_token}x` },
    });
    await expectProblem(stale, 409, "lease_lost");
  });
});

describe("long-polling claims", () => {
  it("answers as soon as work appears during the wait", async () => {
    const tenant = h.newTenant();
    const executor = await h.token(tenant, "executor");
    const started = Date.now();
    const pending = h.call("POST", "/ops/claims", {
      token: executor,
      body: claimBody({ wait_ms: 20_000 }),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const runId = await createRun(h, tenant);
    const res = await pending;
    const elapsed = Date.now() - started;
    expect(res.status).toBe(200);
    expect(LeaseSchema.parse(await res.json()).run_id).toBe(runId);
    // The poll interval is 5 s here, so only the store's wake-up explains a quick answer.
    expect(elapsed).toBeLessThan(4_000);
  });

  it("is 204 at the deadline when nothing appears", async () => {
    const executor = await h.token(h.newTenant(), "executor");
    const started = Date.now();
    const res = await h.call("POST", "/ops/claims", {
      token: executor,
      body: claimBody({ wait_ms: 600 }),
    });
    const elapsed = Date.now() - started;
    expect(res.status).toBe(204);
    expect(elapsed).toBeGreaterThanOrEqual(550);
    expect(elapsed).toBeLessThan(3_000);
  });

  it("stops waiting when the client goes away", async () => {
    const executor = await h.token(h.newTenant(), "executor");
    const controller = new AbortController();
    const started = Date.now();
    const pending = h.call("POST", "/ops/claims", {
      token: executor,
      body: claimBody({ wait_ms: 20_000 }),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 200);
    const outcome = await pending.then(
      (res) => res.status,
      () => "aborted",
    );
    expect(["aborted", 204]).toContain(outcome);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("makes no claim once its client has gone, so no lease goes to nobody", async () => {
    // Wake-ups are kept from the long-poll and its interval is long: only the client's
    // abort ends its sleep, and work is already waiting when it does.
    let claims = 0;
    const quiet = new Proxy(h.store, {
      get(target, key) {
        if (key === "onWake") return () => () => undefined;
        if (key === "claim") {
          return (...args: Parameters<OpsStore["claim"]>) => {
            claims += 1;
            return target.claim(...args);
          };
        }
        const value = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const app = await openHttpHarness({ longPollIntervalMs: 10_000 }, quiet);
    const tenant = app.newTenant();
    const executor = await app.token(tenant, "executor");
    const controller = new AbortController();
    const waiting = app.call("POST", "/ops/claims", {
      token: executor,
      body: claimBody({ wait_ms: 20_000 }),
      signal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(claims).toBe(1);
    const runId = await createRun(app, tenant);
    controller.abort();
    const outcome = await waiting.then(
      (res) => res.status,
      () => "aborted",
    );
    expect(["aborted", 204]).toContain(outcome);
    expect(claims).toBe(1);
    const run = await app.call("GET", `/ops/runs/${runId}`, { token: executor });
    const phases = ((await run.json()) as { phases: { name: string; status: string }[] }).phases;
    expect(phases[0]).toMatchObject({ name: "extract", status: "runnable" });
  });

  it("a long-poll over the cap is 503 unavailable with Retry-After", async () => {
    const capped = await openHttpHarness({ maxLongPolls: 1, retryAfterSeconds: 2 }, h.store);
    const executor = await capped.token(capped.newTenant(), "executor");
    const controller = new AbortController();
    const first = capped.call("POST", "/ops/claims", {
      token: executor,
      body: claimBody({ wait_ms: 10_000 }),
      signal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = await capped.call("POST", "/ops/claims", {
      token: executor,
      body: claimBody({ wait_ms: 10_000 }),
    });
    await expectProblem(second, 503, "unavailable");
    expect(second.headers.get("retry-after")).toBe("2");
    // A claim that does not wait needs no long-poll slot.
    const quick = await capped.call("POST", "/ops/claims", { token: executor, body: claimBody() });
    expect(quick.status).toBe(204);
    controller.abort();
    await first.catch(() => undefined);
  });

  it("requests over the in-flight cap are 503 unavailable with Retry-After", async () => {
    const capped = await openHttpHarness({ maxInFlight: 1 }, h.store);
    const executor = await capped.token(capped.newTenant(), "executor");
    const controller = new AbortController();
    const first = capped.call("POST", "/ops/claims", {
      token: executor,
      body: claimBody({ wait_ms: 10_000 }),
      signal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = await capped.call("GET", "/ops/runs", { token: executor });
    await expectProblem(second, 503, "unavailable");
    expect(second.headers.get("retry-after")).toBe("1");
    // Health and metrics are not /ops and stay answerable under load.
    expect((await capped.call("GET", "/healthz")).status).toBe(200);
    controller.abort();
    await first.catch(() => undefined);
  });

  it("a shutting-down app answers waiting long-polls at once and refuses new /ops requests", async () => {
    const shutdown = new AbortController();
    const app = await openHttpHarness({ signal: shutdown.signal }, h.store);
    const executor = await app.token(app.newTenant(), "executor");
    const started = Date.now();
    const waiting = app.call("POST", "/ops/claims", {
      token: executor,
      body: claimBody({ wait_ms: 20_000 }),
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    shutdown.abort();
    expect((await waiting).status).toBe(204);
    expect(Date.now() - started).toBeLessThan(3_000);
    const refused = await app.call("GET", "/ops/runs", { token: executor });
    await expectProblem(refused, 503, "unavailable");
  });
});
