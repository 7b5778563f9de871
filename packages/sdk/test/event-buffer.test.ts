import { HttpResponse, http } from "msw";
import { describe, expect, it, vi } from "vitest";
import { ControlRoomClient, uuidv7, ValidationError } from "../src/index.js";
import { BASE_URL, problemBody, RUN_ID, runBody, useMswServer } from "./msw-server.js";

const server = useMswServer();
const client = () =>
  new ControlRoomClient({
    baseUrl: BASE_URL,
    token: "t",
    retry: { maxAttempts: 2, initialDelayMs: 5, maxDelayMs: 10, maxElapsedMs: 5_000 },
  });

interface Received {
  event_id: string;
  message: string;
}

function eventsEndpoint(fail: () => boolean, received: Received[][]) {
  return http.post(`${BASE_URL}/ops/runs/${RUN_ID}/events`, async ({ request }) => {
    const body = (await request.json()) as { events: Received[] };
    received.push(body.events);
    if (fail()) return HttpResponse.json(problemBody("unavailable", 503), { status: 503 });
    return HttpResponse.json({ accepted: body.events.length, duplicates: 0 });
  });
}

describe("EventBuffer", () => {
  it("sends a batch when it is full and the rest on close, ids time-ordered", async () => {
    const received: Received[][] = [];
    server.use(eventsEndpoint(() => false, received));
    const buffer = client().events.buffer(RUN_ID, { maxBatch: 3, flushIntervalMs: 60_000 });
    for (let i = 0; i < 7; i++) buffer.push({ type: "LOG", message: `m${i}` });
    await buffer.close();
    expect(received.map((batch) => batch.length)).toEqual([3, 3, 1]);
    const ids = received.flat().map((e) => e.event_id);
    expect(ids).toEqual([...ids].sort());
    expect(received.flat().map((e) => e.message)).toEqual([
      "m0",
      "m1",
      "m2",
      "m3",
      "m4",
      "m5",
      "m6",
    ]);
  });

  it("flushes on its interval", async () => {
    const received: Received[][] = [];
    server.use(eventsEndpoint(() => false, received));
    const buffer = client().events.buffer(RUN_ID, { maxBatch: 100, flushIntervalMs: 20 });
    buffer.push({ type: "LOG", message: "tick" });
    await new Promise((r) => setTimeout(r, 300));
    expect(received.flat().map((e) => e.message)).toEqual(["tick"]);
    await buffer.close();
  });

  it("keeps events after a failed flush, reports it, and resends them with the same ids", async () => {
    const received: Received[][] = [];
    let failing = true;
    server.use(eventsEndpoint(() => failing, received));
    const errors: unknown[] = [];
    const buffer = client().events.buffer(RUN_ID, {
      maxBatch: 2,
      flushIntervalMs: 60_000,
      onError: (e) => errors.push(e),
    });
    buffer.push({ type: "LOG", message: "a" });
    buffer.push({ type: "LOG", message: "b" }); // full: a background flush starts and fails
    await expect(buffer.flush()).rejects.toThrow(/events/);
    expect(buffer.pendingCount).toBe(2);
    failing = false;
    await buffer.close();
    expect(buffer.pendingCount).toBe(0);
    const attempts = received.map((batch) => batch.map((e) => e.event_id).join(","));
    const lastIds = attempts.at(-1);
    expect(attempts.every((ids) => ids === lastIds)).toBe(true);
    expect(errors.length).toBeGreaterThanOrEqual(1);
  });

  it("retries a failed background flush on its own when the failure may pass", async () => {
    const received: Received[][] = [];
    let failures = 0;
    server.use(eventsEndpoint(() => ++failures <= 2, received)); // the first flush's 2 attempts fail
    const errors: unknown[] = [];
    const buffer = client().events.buffer(RUN_ID, {
      flushIntervalMs: 30,
      onError: (e) => errors.push(e),
    });
    const event = buffer.push({ type: "LOG", message: "eventually" });
    await vi.waitFor(() => expect(buffer.pendingCount).toBe(0), { timeout: 5_000 });
    expect(errors).toHaveLength(1);
    expect(received).toHaveLength(3);
    expect(received.every((batch) => batch[0]?.event_id === event.event_id)).toBe(true);
    await buffer.close();
  });

  it("does not resend a rejected batch in the background, and close() reports it", async () => {
    let attempts = 0;
    server.use(
      http.post(`${BASE_URL}/ops/runs/${RUN_ID}/events`, () => {
        attempts += 1;
        return HttpResponse.json(problemBody("validation_failed", 400), { status: 400 });
      }),
    );
    const errors: unknown[] = [];
    const buffer = client().events.buffer(RUN_ID, {
      flushIntervalMs: 20,
      onError: (e) => errors.push(e),
    });
    buffer.push({ type: "LOG", message: "bad" });
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 200));
    expect(attempts).toBe(1);
    await expect(buffer.close()).rejects.toBeInstanceOf(ValidationError);
    expect(buffer.pendingCount).toBe(1);
  });

  it("rejects close() when events cannot be sent, instead of dropping them", async () => {
    server.use(eventsEndpoint(() => true, []));
    const buffer = client().events.buffer(RUN_ID, { flushIntervalMs: 60_000 });
    buffer.push({ type: "LOG", message: "lost?" });
    await expect(buffer.close()).rejects.toThrow();
    expect(buffer.pendingCount).toBe(1);
  });

  it("hands over what the server has not accepted, after a send in progress, in order", async () => {
    const received: Received[][] = [];
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    server.use(
      http.post(`${BASE_URL}/ops/runs/${RUN_ID}/events`, async ({ request }) => {
        const body = (await request.json()) as { events: Received[] };
        received.push(body.events);
        calls += 1;
        // The first send is slow, later ones are refused.
        if (calls === 1) await held;
        if (calls > 1) return HttpResponse.json(problemBody("validation", 400), { status: 400 });
        return HttpResponse.json({ accepted: body.events.length, duplicates: 0 });
      }),
    );
    const buffer = client().events.buffer(RUN_ID, { maxBatch: 2, flushIntervalMs: 60_000 });
    buffer.push({ type: "LOG", message: "a" });
    buffer.push({ type: "LOG", message: "b" }); // full: sent, and held by the server
    buffer.push({ type: "LOG", message: "c" });
    const taking = buffer.take();
    let taken: unknown[] | undefined;
    void taking.then((events) => {
      taken = events;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(taken).toBeUndefined(); // waits for the send in progress
    release();
    // The send in progress went on with "c", which the server refused: it stays
    // buffered, and take() hands it over with its id, its failure dropped with it.
    const events = await taking;
    expect(events.map((e) => e.message)).toEqual(["c"]);
    expect(events[0]?.event_id).toBe(received[1]?.[0]?.event_id);
    expect(buffer.pendingCount).toBe(0);
    const sent = received.length;
    await buffer.close(); // nothing left to send or to report
    expect(received).toHaveLength(sent);
    expect(received[0]?.map((e) => e.message)).toEqual(["a", "b"]);
  });

  it("is flushed before a complete of the same run", async () => {
    const order: string[] = [];
    server.use(
      http.post(`${BASE_URL}/ops/runs/${RUN_ID}/events`, async ({ request }) => {
        const body = (await request.json()) as { events: unknown[] };
        order.push(`events:${body.events.length}`);
        return HttpResponse.json({ accepted: body.events.length, duplicates: 0 });
      }),
      http.post(`${BASE_URL}/ops/runs/${RUN_ID}/complete`, () => {
        order.push("complete");
        return HttpResponse.json(runBody);
      }),
    );
    const c = client();
    const buffer = c.events.buffer(RUN_ID, { flushIntervalMs: 60_000 });
    buffer.push({ type: "LOG", message: "before" });
    await c.leases.complete(RUN_ID, { lease_token: "lt", status: "succeeded" });
    expect(order).toEqual(["events:1", "complete"]);
    await buffer.close();
  });
});

describe("uuidv7", () => {
  it("makes valid, unique, time-ordered v7 ids, even within one millisecond", () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7(1_700_000_000_000));
    for (const id of ids.slice(0, 10)) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort());
    expect(uuidv7(1_800_000_000_000) > ids.at(-1)!).toBe(true);
  });
});
