import { randomUUID } from "node:crypto";
import { EventListSchema } from "@controlroom/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRun, type HttpHarness, openHttpHarness } from "./http-harness.js";

let h: HttpHarness;
beforeAll(async () => {
  h = await openHttpHarness({ longPollIntervalMs: 5_000 });
});
afterAll(() => h?.close());

function logEvent(message: string, eventId: string = randomUUID()) {
  return { event_id: eventId, type: "LOG", ts: new Date().toISOString(), message };
}

describe("events", () => {
  it("appends idempotently by event_id and reads back in seq order with next_seq", async () => {
    const tenant = h.newTenant();
    const executor = await h.token(tenant, "executor");
    const runId = await createRun(h, tenant);
    const path = `/ops/runs/${runId}/events`;

    const before = EventListSchema.parse(
      await (await h.call("GET", path, { token: executor })).json(),
    );
    // RUN_CREATED is written by the server itself.
    expect(before.items.map((event) => event.type)).toContain("RUN_CREATED");
    const after = before.next_seq;

    const repeated = randomUUID();
    const first = await h.call("POST", path, {
      token: executor,
      body: { events: [logEvent("one", repeated), logEvent("two")] },
    });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ accepted: 2, duplicates: 0 });
    const second = await h.call("POST", path, {
      token: executor,
      body: { events: [logEvent("one again", repeated)] },
    });
    expect(await second.json()).toEqual({ accepted: 0, duplicates: 1 });

    const page = EventListSchema.parse(
      await (await h.call("GET", `${path}?after_seq=${after}`, { token: executor })).json(),
    );
    expect(page.items.map((event) => event.message)).toEqual(["one", "two"]);
    expect(page.items.map((event) => event.seq)).toEqual([after + 1, after + 2]);
    expect(page.next_seq).toBe(after + 2);

    const limited = EventListSchema.parse(
      await (await h.call("GET", `${path}?after_seq=${after}&limit=1`, { token: executor })).json(),
    );
    expect(limited.items).toHaveLength(1);
    expect(limited.next_seq).toBe(after + 1);

    const nothing = EventListSchema.parse(
      await (await h.call("GET", `${path}?after_seq=${after + 2}`, { token: executor })).json(),
    );
    expect(nothing).toEqual({ items: [], next_seq: after + 2 });
  });

  it("a long-poll read answers as soon as an event is appended", async () => {
    const tenant = h.newTenant();
    const executor = await h.token(tenant, "executor");
    const runId = await createRun(h, tenant);
    const path = `/ops/runs/${runId}/events`;
    const { next_seq } = EventListSchema.parse(
      await (await h.call("GET", path, { token: executor })).json(),
    );

    const started = Date.now();
    const waiting = h.call("GET", `${path}?after_seq=${next_seq}&wait_ms=20000`, {
      token: executor,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await h.call("POST", path, { token: executor, body: { events: [logEvent("late")] } });
    const page = EventListSchema.parse(await (await waiting).json());
    expect(page.items.map((event) => event.message)).toEqual(["late"]);
    // The poll interval is 5 s here: only the wake-up explains a quick answer.
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it("a long-poll read returns the empty page at the deadline", async () => {
    const tenant = h.newTenant();
    const executor = await h.token(tenant, "executor");
    const runId = await createRun(h, tenant);
    const path = `/ops/runs/${runId}/events`;
    const { next_seq } = EventListSchema.parse(
      await (await h.call("GET", path, { token: executor })).json(),
    );
    const started = Date.now();
    const res = await h.call("GET", `${path}?after_seq=${next_seq}&wait_ms=500`, {
      token: executor,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ items: [], next_seq });
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });
});
