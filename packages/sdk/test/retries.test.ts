import { delay, HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import {
  ConflictError,
  ConnectionError,
  ControlRoomClient,
  ForbiddenError,
  IdempotencyConflictError,
  isControlRoomError,
  LeaseLostError,
  NotFoundError,
  TimeoutError,
  UnauthorizedError,
  UnavailableError,
  UnexpectedResponseError,
  ValidationError,
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
const fastRetry = { maxAttempts: 4, initialDelayMs: 20, maxDelayMs: 2_000, maxElapsedMs: 10_000 };

// Every case runs over both ways a request can leave (see TRANSPORTS).
describe.each(TRANSPORTS)("over %s", (_transport, fetchOption) => {
  const client = clientOver(fetchOption, fastRetry);

  describe("retries", () => {
    it("retries 503 with backoff and sends the same idempotency key every time", async () => {
      const keys: (string | null)[] = [];
      const times: number[] = [];
      server.use(
        http.post(`${BASE_URL}/ops/runs`, ({ request }) => {
          keys.push(request.headers.get("idempotency-key"));
          times.push(Date.now());
          if (keys.length < 3)
            return HttpResponse.json(problemBody("unavailable", 503), { status: 503 });
          return HttpResponse.json(runBody, { status: 201 });
        }),
      );
      const run = await client().runs.create(createBody);
      expect(run.run_id).toBe(RUN_ID);
      expect(keys).toHaveLength(3);
      expect(new Set(keys).size).toBe(1);
      expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
      // Backoff grows: the second wait is at least the doubled initial delay.
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(fastRetry.initialDelayMs - 2);
      expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(2 * fastRetry.initialDelayMs - 2);
    });

    it("honours Retry-After over its own backoff", async () => {
      const times: number[] = [];
      server.use(
        http.post(`${BASE_URL}/ops/runs`, () => {
          times.push(Date.now());
          if (times.length === 1) {
            return HttpResponse.json(problemBody("rate_limited", 429), {
              status: 429,
              headers: { "retry-after": "1" },
            });
          }
          return HttpResponse.json(runBody, { status: 201 });
        }),
      );
      await client().runs.create(createBody);
      expect(times).toHaveLength(2);
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
    });

    it("retries a dropped response with the same request_id, so the claim has one effect", async () => {
      const leasesByRequest = new Map<string, number>();
      let attempts = 0;
      server.use(
        http.post(`${BASE_URL}/ops/claims`, async ({ request }) => {
          attempts += 1;
          const body = (await request.json()) as { request_id: string };
          // The server acts on the first attempt, then the response is lost on the way back.
          leasesByRequest.set(body.request_id, (leasesByRequest.get(body.request_id) ?? 0) + 1);
          if (attempts === 1) return HttpResponse.error();
          return HttpResponse.json(leaseBody);
        }),
      );
      const lease = await client().claims.claim({
        executor_id: "w",
        capabilities: [],
        environments: ["dev"],
      });
      expect(lease?.lease_token).toBe("lt_1");
      expect(attempts).toBe(2);
      expect(leasesByRequest.size).toBe(1); // one logical claim, one request_id
    });

    it.each([
      [400, "validation_failed", ValidationError],
      [401, "unauthorized", UnauthorizedError],
      [403, "forbidden", ForbiddenError],
      [404, "not_found", NotFoundError],
      [409, "lease_lost", LeaseLostError],
      [409, "idempotency_conflict", IdempotencyConflictError],
      [409, "conflict", ConflictError],
    ] as const)("never retries %i %s", async (status, code, ErrorClass) => {
      let attempts = 0;
      server.use(
        http.post(`${BASE_URL}/ops/runs/${RUN_ID}/heartbeat`, () => {
          attempts += 1;
          return HttpResponse.json(problemBody(code, status), {
            status,
            headers: { "content-type": "application/problem+json", "x-request-id": "req-42" },
          });
        }),
      );
      const error = await client()
        .leases.heartbeat(RUN_ID, { lease_token: "lt" })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ErrorClass);
      expect(attempts).toBe(1);
      expect(isControlRoomError(error)).toBe(true);
      expect((error as InstanceType<typeof ErrorClass>).code).toBe(code);
      expect((error as InstanceType<typeof ErrorClass>).status).toBe(status);
      expect((error as InstanceType<typeof ErrorClass>).requestId).toBe("req-42");
    });

    it("exposes the server's validation issues", async () => {
      server.use(
        http.post(`${BASE_URL}/ops/runs`, () =>
          HttpResponse.json(
            {
              ...problemBody("validation_failed", 400),
              errors: [{ path: "git_sha", message: "bad" }],
            },
            { status: 400 },
          ),
        ),
      );
      const error = (await client()
        .runs.create(createBody)
        .catch((e: unknown) => e)) as ValidationError;
      expect(error.issues).toEqual([{ path: "git_sha", message: "bad" }]);
    });

    it("stops at maxAttempts and throws the last error with its request id", async () => {
      let attempts = 0;
      server.use(
        http.get(`${BASE_URL}/ops/runs/${RUN_ID}`, () => {
          attempts += 1;
          return HttpResponse.json(problemBody("unavailable", 503), {
            status: 503,
            headers: { "x-request-id": `req-${attempts}` },
          });
        }),
      );
      const error = (await client()
        .runs.get(RUN_ID)
        .catch((e: unknown) => e)) as UnavailableError;
      expect(error).toBeInstanceOf(UnavailableError);
      expect(attempts).toBe(fastRetry.maxAttempts);
      expect(error.requestId).toBe(`req-${fastRetry.maxAttempts}`);
    });

    it("caps the total time spent retrying", async () => {
      let attempts = 0;
      server.use(
        http.get(`${BASE_URL}/ops/runs/${RUN_ID}`, () => {
          attempts += 1;
          return HttpResponse.json(problemBody("unavailable", 503), {
            status: 503,
            headers: { "retry-after": "1" },
          });
        }),
      );
      const started = Date.now();
      const error = await client({ retry: { ...fastRetry, maxAttempts: 10, maxElapsedMs: 1_500 } })
        .runs.get(RUN_ID)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnavailableError);
      expect(attempts).toBe(2); // a third attempt would start after 2 s, past the cap
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it("aborts mid-retry without another attempt", async () => {
      let attempts = 0;
      server.use(
        http.get(`${BASE_URL}/ops/runs/${RUN_ID}`, () => {
          attempts += 1;
          return HttpResponse.json(problemBody("unavailable", 503), {
            status: 503,
            headers: { "retry-after": "5" },
          });
        }),
      );
      const controller = new AbortController();
      const reason = new Error("caller gave up");
      setTimeout(() => controller.abort(reason), 150);
      const started = Date.now();
      const error = await client({ retry: { ...fastRetry, maxDelayMs: 10_000 } })
        .runs.get(RUN_ID, { signal: controller.signal })
        .catch((e: unknown) => e);
      expect(error).toBe(reason);
      expect(attempts).toBe(1);
      expect(Date.now() - started).toBeLessThan(3_000);
    });

    it("times out a slow attempt, retries it, then throws TimeoutError", async () => {
      let attempts = 0;
      server.use(
        http.get(`${BASE_URL}/ops/runs/${RUN_ID}`, async () => {
          attempts += 1;
          await delay(1_000);
          return HttpResponse.json(runBody);
        }),
      );
      const error = await client({ timeoutMs: 100, retry: { ...fastRetry, maxAttempts: 2 } })
        .runs.get(RUN_ID)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(attempts).toBe(2);
    });

    it("turns a refused connection into ConnectionError after retries", async () => {
      let attempts = 0;
      server.use(
        http.get(`${BASE_URL}/ops/runs/${RUN_ID}`, () => {
          attempts += 1;
          return HttpResponse.error();
        }),
      );
      const error = await client()
        .runs.get(RUN_ID)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(attempts).toBe(fastRetry.maxAttempts);
    });

    it("rejects a success body that does not match the contract, without retrying", async () => {
      let attempts = 0;
      server.use(
        http.get(`${BASE_URL}/ops/runs/${RUN_ID}`, () => {
          attempts += 1;
          return HttpResponse.json({ run_id: "nope" });
        }),
      );
      const error = await client()
        .runs.get(RUN_ID)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnexpectedResponseError);
      expect(attempts).toBe(1);
    });

    it("gives a long-poll claim its wait on top of the attempt timeout", async () => {
      server.use(
        http.post(`${BASE_URL}/ops/claims`, async () => {
          await delay(300);
          return new HttpResponse(null, { status: 204 });
        }),
      );
      const lease = await client({ timeoutMs: 100 }).claims.claim({
        executor_id: "w",
        capabilities: [],
        environments: ["dev"],
        wait_ms: 1_000,
      });
      expect(lease).toBeNull();
    });
  });

  describe("options", () => {
    it("takes the URL and token from the environment", async () => {
      const previous = { url: process.env.CONTROLROOM_URL, token: process.env.CONTROLROOM_TOKEN };
      process.env.CONTROLROOM_URL = BASE_URL;
      process.env.CONTROLROOM_TOKEN = "env-token";
      let auth: string | null = null;
      server.use(
        http.get(`${BASE_URL}/ops/runs/${RUN_ID}`, ({ request }) => {
          auth = request.headers.get("authorization");
          return HttpResponse.json(runBody);
        }),
      );
      try {
        await new ControlRoomClient().runs.get(RUN_ID);
        expect(auth).toBe("Bearer env-token");
      } finally {
        process.env.CONTROLROOM_URL = previous.url ?? "";
        if (previous.url === undefined) delete process.env.CONTROLROOM_URL;
        if (previous.token === undefined) delete process.env.CONTROLROOM_TOKEN;
        else process.env.CONTROLROOM_TOKEN = previous.token;
      }
    });

    it("refuses a missing or malformed base URL and bad retry options", () => {
      const saved = process.env.CONTROLROOM_URL;
      delete process.env.CONTROLROOM_URL;
      try {
        expect(() => new ControlRoomClient({})).toThrow(/baseUrl/);
        expect(() => new ControlRoomClient({ baseUrl: "not a url" })).toThrow(/not a URL/);
        expect(
          () => new ControlRoomClient({ baseUrl: BASE_URL, retry: { maxAttempts: 0 } }),
        ).toThrow(/maxAttempts/);
      } finally {
        if (saved !== undefined) process.env.CONTROLROOM_URL = saved;
      }
    });
  });
});
