import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import {
  ConnectionError,
  InternalServerError,
  PayloadTooLargeError,
  RateLimitedError,
  TimeoutError,
  UnexpectedResponseError,
} from "../src/index.js";
import {
  BASE_URL,
  clientOver,
  createBody,
  leaseBody,
  problemBody,
  RUN_ID,
  runBody,
  TRANSPORTS,
  useMswServer,
} from "./msw-server.js";

const server = useMswServer();
const fastRetry = { maxAttempts: 4, initialDelayMs: 10, maxDelayMs: 50, maxElapsedMs: 10_000 };

/** Answers `failures` times with `fail()`, then with `ok()`; counts attempts. */
function flaky(failures: number, fail: () => Response, ok: () => Response) {
  const state = { attempts: 0 };
  const resolver = () => {
    state.attempts += 1;
    return state.attempts <= failures ? fail() : ok();
  };
  return { state, resolver };
}

// Every case runs over both ways a request can leave (see TRANSPORTS).
describe.each(TRANSPORTS)("over %s", (_transport, fetchOption) => {
  const client = clientOver(fetchOption, fastRetry);

  describe("which failures are retried", () => {
    it.each([
      ["408 without a problem body", () => new HttpResponse("slow", { status: 408 })],
      ["429", () => HttpResponse.json(problemBody("rate_limited", 429), { status: 429 })],
      ["500", () => HttpResponse.json(problemBody("internal", 500), { status: 500 })],
      [
        "a proxy's 502 HTML page",
        () => new HttpResponse("<html>bad gateway</html>", { status: 502 }),
      ],
    ])("retries %s and then succeeds", async (_, fail) => {
      const { state, resolver } = flaky(2, fail, () => HttpResponse.json(runBody));
      server.use(http.get(`${BASE_URL}/ops/runs/${RUN_ID}`, resolver));
      const run = await client().runs.get(RUN_ID);
      expect(run.run_id).toBe(RUN_ID);
      expect(state.attempts).toBe(3);
    });

    it("maps a 5xx with no contract code to InternalServerError with its status", async () => {
      server.use(
        http.get(`${BASE_URL}/ops/runs/${RUN_ID}`, () => new HttpResponse("down", { status: 502 })),
      );
      const error = (await client()
        .runs.get(RUN_ID)
        .catch((e: unknown) => e)) as InternalServerError;
      expect(error).toBeInstanceOf(InternalServerError);
      expect(error.status).toBe(502);
    });

    it("never retries 413", async () => {
      let attempts = 0;
      server.use(
        http.post(`${BASE_URL}/ops/runs/${RUN_ID}/events`, () => {
          attempts += 1;
          return HttpResponse.json(problemBody("payload_too_large", 413), { status: 413 });
        }),
      );
      await expect(
        client().events.append(RUN_ID, [{ type: "LOG", message: "x" }]),
      ).rejects.toBeInstanceOf(PayloadTooLargeError);
      expect(attempts).toBe(1);
    });
  });

  describe("Retry-After", () => {
    it("is honoured even when longer than maxDelayMs", async () => {
      const times: number[] = [];
      server.use(
        http.get(`${BASE_URL}/ops/runs/${RUN_ID}`, () => {
          times.push(Date.now());
          if (times.length === 1) {
            return HttpResponse.json(problemBody("unavailable", 503), {
              status: 503,
              headers: { "retry-after": "1" },
            });
          }
          return HttpResponse.json(runBody);
        }),
      );
      await client().runs.get(RUN_ID); // maxDelayMs is 50
      expect(times).toHaveLength(2);
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
    });

    it("accepts an HTTP date", async () => {
      const times: number[] = [];
      server.use(
        http.get(`${BASE_URL}/ops/runs/${RUN_ID}`, () => {
          times.push(Date.now());
          if (times.length === 1) {
            const at = new Date(Date.now() + 2_000).toUTCString(); // second precision
            return HttpResponse.json(problemBody("rate_limited", 429), {
              status: 429,
              headers: { "retry-after": at },
            });
          }
          return HttpResponse.json(runBody);
        }),
      );
      await client().runs.get(RUN_ID);
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(900);
    });

    it("fails at once when the wait would overrun maxElapsedMs, telling when to come back", async () => {
      let attempts = 0;
      server.use(
        http.get(`${BASE_URL}/ops/runs/${RUN_ID}`, () => {
          attempts += 1;
          return HttpResponse.json(problemBody("rate_limited", 429), {
            status: 429,
            headers: { "retry-after": "3600" },
          });
        }),
      );
      const started = Date.now();
      const error = (await client()
        .runs.get(RUN_ID)
        .catch((e: unknown) => e)) as RateLimitedError;
      expect(error).toBeInstanceOf(RateLimitedError);
      expect(error.retryAfterMs).toBe(3_600_000);
      expect(attempts).toBe(1);
      expect(Date.now() - started).toBeLessThan(2_000);
    });
  });

  describe("ids minted once per logical call", () => {
    it("sends the same event_ids and ts on every attempt of an append", async () => {
      const bodies: string[] = [];
      server.use(
        http.post(`${BASE_URL}/ops/runs/${RUN_ID}/events`, async ({ request }) => {
          bodies.push(await request.text());
          if (bodies.length === 1) return HttpResponse.error(); // acted on, answer lost
          if (bodies.length === 2)
            return HttpResponse.json(problemBody("unavailable", 503), { status: 503 });
          return HttpResponse.json({ accepted: 0, duplicates: 2 });
        }),
      );
      const result = await client().events.append(RUN_ID, [
        { type: "LOG", message: "a" },
        { type: "LOG", message: "b" },
      ]);
      expect(result.duplicates).toBe(2);
      expect(bodies).toHaveLength(3);
      expect(new Set(bodies).size).toBe(1);
      const events = (JSON.parse(bodies[0]!) as { events: { event_id: string; ts: string }[] })
        .events;
      expect(events[0]!.event_id).not.toBe(events[1]!.event_id);
      expect(events[0]!.event_id < events[1]!.event_id).toBe(true);
    });

    it("sends the same request_id on every attempt of claimRun, and a new one per call", async () => {
      const ids: string[] = [];
      server.use(
        http.post(`${BASE_URL}/ops/runs/${RUN_ID}/claim`, async ({ request }) => {
          ids.push(((await request.json()) as { request_id: string }).request_id);
          if (ids.length === 1)
            return HttpResponse.json(problemBody("unavailable", 503), { status: 503 });
          return HttpResponse.json(leaseBody);
        }),
      );
      const c = client();
      await c.claims.claimRun(RUN_ID, { executor_id: "w", capabilities: [] });
      await c.claims.claimRun(RUN_ID, { executor_id: "w", capabilities: [] });
      expect(ids).toHaveLength(3);
      expect(ids[0]).toBe(ids[1]);
      expect(ids[2]).not.toBe(ids[0]);
    });

    it("keeps a caller's idempotency key and request_id", async () => {
      const seen: (string | null)[] = [];
      server.use(
        http.post(`${BASE_URL}/ops/runs`, ({ request }) => {
          seen.push(request.headers.get("idempotency-key"));
          return HttpResponse.json(runBody, { status: 201 });
        }),
        http.post(`${BASE_URL}/ops/claims`, async ({ request }) => {
          seen.push(((await request.json()) as { request_id: string }).request_id);
          return new HttpResponse(null, { status: 204 });
        }),
      );
      await client().runs.create(createBody, { idempotencyKey: "my-key" });
      const lease = await client().claims.claim({
        executor_id: "w",
        capabilities: [],
        environments: ["dev"],
        request_id: "0190b7a4-8f1e-7c3a-9d2b-000000000001",
      });
      expect(lease).toBeNull();
      expect(seen).toEqual(["my-key", "0190b7a4-8f1e-7c3a-9d2b-000000000001"]);
    });
  });

  describe("request ids", () => {
    it("sends a fresh x-request-id per attempt and reports it when no response came", async () => {
      const sent: string[] = [];
      server.use(
        http.get(`${BASE_URL}/ops/runs/${RUN_ID}`, ({ request }) => {
          sent.push(request.headers.get("x-request-id") ?? "");
          return HttpResponse.error();
        }),
      );
      const error = (await client({ retry: { ...fastRetry, maxAttempts: 2 } })
        .runs.get(RUN_ID)
        .catch((e: unknown) => e)) as ConnectionError;
      expect(error).toBeInstanceOf(ConnectionError);
      expect(sent).toHaveLength(2);
      expect(sent[0]).toMatch(/^[0-9a-f-]{36}\.1$/);
      expect(sent[1]).toBe(sent[0]!.replace(/\.1$/, ".2"));
      expect(error.requestId).toBe(sent[1]);
    });
  });

  describe("responses the contract does not define", () => {
    it("rejects a 204 from an endpoint that always has a body, without retrying", async () => {
      let attempts = 0;
      server.use(
        http.get(`${BASE_URL}/ops/runs/${RUN_ID}`, () => {
          attempts += 1;
          return new HttpResponse(null, { status: 204 });
        }),
      );
      const error = (await client()
        .runs.get(RUN_ID)
        .catch((e: unknown) => e)) as UnexpectedResponseError;
      expect(error).toBeInstanceOf(UnexpectedResponseError);
      expect(error.status).toBe(204);
      expect(attempts).toBe(1);
    });
  });

  describe("abort and timeouts", () => {
    it("cancels an attempt in flight and rejects with the signal's reason", async () => {
      let attempts = 0;
      server.use(
        http.post(`${BASE_URL}/ops/claims`, async () => {
          attempts += 1;
          await new Promise((r) => setTimeout(r, 5_000));
          return new HttpResponse(null, { status: 204 });
        }),
      );
      const controller = new AbortController();
      const reason = new Error("shutting down");
      setTimeout(() => controller.abort(reason), 100);
      const started = Date.now();
      const error = await client()
        .claims.claim(
          { executor_id: "w", capabilities: [], environments: ["dev"], wait_ms: 20_000 },
          { signal: controller.signal },
        )
        .catch((e: unknown) => e);
      expect(error).toBe(reason);
      expect(attempts).toBe(1);
      expect(Date.now() - started).toBeLessThan(3_000);
    });

    it("sends nothing when the signal is already aborted", async () => {
      const controller = new AbortController();
      controller.abort(new Error("too late"));
      // No handler: msw's onUnhandledRequest "error" would fail a request that went out.
      await expect(client().runs.get(RUN_ID, { signal: controller.signal })).rejects.toThrow(
        "too late",
      );
    });

    it("times out a body that stops arriving, and retries the attempt", async () => {
      let attempts = 0;
      server.use(
        http.get(`${BASE_URL}/ops/runs/${RUN_ID}`, () => {
          attempts += 1;
          if (attempts === 2) return HttpResponse.json(runBody);
          const stalled = new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('{"run_id":'));
              // ...and nothing more: the headers came, the body never ends.
            },
          });
          return new HttpResponse(stalled, { headers: { "content-type": "application/json" } });
        }),
      );
      const run = await client({ timeoutMs: 300 }).runs.get(RUN_ID);
      expect(run.run_id).toBe(RUN_ID);
      expect(attempts).toBe(2);
    });

    it("treats a body cut off mid-way as a dropped response and retries", async () => {
      let attempts = 0;
      server.use(
        http.get(`${BASE_URL}/ops/runs/${RUN_ID}`, () => {
          attempts += 1;
          if (attempts === 2) return HttpResponse.json(runBody);
          const broken = new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('{"run_id":'));
              controller.error(new Error("socket hang up"));
            },
          });
          return new HttpResponse(broken, { headers: { "content-type": "application/json" } });
        }),
      );
      expect((await client().runs.get(RUN_ID)).run_id).toBe(RUN_ID);
      expect(attempts).toBe(2);
    });

    it("reports a stalled body as TimeoutError once retries are spent", async () => {
      server.use(
        http.get(`${BASE_URL}/ops/runs/${RUN_ID}`, () => {
          const stalled = new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(new TextEncoder().encode("{"));
            },
          });
          return new HttpResponse(stalled, { headers: { "content-type": "application/json" } });
        }),
      );
      const error = await client({ timeoutMs: 150, retry: { ...fastRetry, maxAttempts: 2 } })
        .runs.get(RUN_ID)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
    });
  });

  describe("paging", () => {
    it("iterates every page of runs, passing next_cursor on", async () => {
      const cursors: (string | null)[] = [];
      server.use(
        http.get(`${BASE_URL}/ops/runs`, ({ request }) => {
          const url = new URL(request.url);
          cursors.push(url.searchParams.get("cursor"));
          expect(url.searchParams.get("status")).toBe("failed");
          const page = cursors.length;
          return HttpResponse.json({
            items: [{ ...runBody, run_id: `0190b7a4-8f1e-7c3a-9d2b-00000000000${page}` }],
            next_cursor: page < 3 ? `c${page}` : null,
          });
        }),
      );
      const ids: string[] = [];
      for await (const run of client().runs.iterate({ status: "failed" })) ids.push(run.run_id);
      expect(ids).toHaveLength(3);
      expect(cursors).toEqual([null, "c1", "c2"]);
    });
  });
});
