import { delay, HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import {
  type ApiError,
  ControlRoomClient,
  completionError,
  LeaseLostError,
  NotFoundError,
  type RejectedCompletion,
  ValidationError,
} from "../src/index.js";
import { BASE_URL, leaseBody, problemBody, RUN_ID, useMswServer } from "./msw-server.js";

const server = useMswServer();
const client = (extra: ConstructorParameters<typeof ControlRoomClient>[0] = {}) =>
  new ControlRoomClient({
    baseUrl: BASE_URL,
    token: "t",
    retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50, maxElapsedMs: 5_000 },
    ...extra,
  });

const OTHER_RUN_ID = "0190b7a4-8f1e-7c3a-9d2b-000000000002";
const THIRD_RUN_ID = "0190b7a4-8f1e-7c3a-9d2b-000000000003";
const claimBody = { executor_id: "w", capabilities: [], environments: ["dev" as const] };

describe("claims.claimBatch", () => {
  it("is [] when nothing came within wait_ms, given the wait on top of the attempt timeout", async () => {
    server.use(
      http.post(`${BASE_URL}/ops/claims/batch`, async () => {
        await delay(300);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const leases = await client({ timeoutMs: 100 }).claims.claimBatch({
      ...claimBody,
      max_leases: 4,
      wait_ms: 1_000,
    });
    expect(leases).toEqual([]);
  });

  it("mints one request_id and sends it again when a 503 is retried; returns the leases in order", async () => {
    const bodies: { request_id: string; max_leases: number }[] = [];
    server.use(
      http.post(`${BASE_URL}/ops/claims/batch`, async ({ request }) => {
        bodies.push((await request.json()) as (typeof bodies)[number]);
        if (bodies.length === 1) {
          return HttpResponse.json(problemBody("unavailable", 503), { status: 503 });
        }
        return HttpResponse.json({
          leases: [leaseBody, { ...leaseBody, lease_token: "lt_2", run_id: OTHER_RUN_ID }],
        });
      }),
    );
    const leases = await client().claims.claimBatch({ ...claimBody, max_leases: 2 });
    expect(leases.map((lease) => [lease.run_id, lease.lease_token])).toEqual([
      [RUN_ID, "lt_1"],
      [OTHER_RUN_ID, "lt_2"],
    ]);
    expect(bodies).toHaveLength(2);
    expect(bodies[0]!.request_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(bodies[1]!.request_id).toBe(bodies[0]!.request_id);
    expect(bodies[0]!.max_leases).toBe(2);
  });

  it("sends a given request_id as it is", async () => {
    const given = "0190b7a4-8f1e-7c3a-9d2b-00000000abcd";
    let sent: string | undefined;
    server.use(
      http.post(`${BASE_URL}/ops/claims/batch`, async ({ request }) => {
        sent = ((await request.json()) as { request_id: string }).request_id;
        return new HttpResponse(null, { status: 204 });
      }),
    );
    await client().claims.claimBatch({ ...claimBody, max_leases: 1, request_id: given });
    expect(sent).toBe(given);
  });
});

describe("leases.completeBatch", () => {
  it("flushes the buffered events of every run in the batch, and only those, before sending", async () => {
    const order: string[] = [];
    let completions: unknown[] = [];
    server.use(
      http.post(`${BASE_URL}/ops/runs/:runId/events`, async ({ params, request }) => {
        const body = (await request.json()) as { events: unknown[] };
        order.push(`events:${String(params.runId)}:${body.events.length}`);
        return HttpResponse.json({ accepted: body.events.length, duplicates: 0 });
      }),
      http.post(`${BASE_URL}/ops/completions`, async ({ request }) => {
        order.push("completions");
        completions = ((await request.json()) as { completions: unknown[] }).completions;
        return HttpResponse.json({
          results: [
            {
              outcome: "completed",
              run_id: RUN_ID,
              lease_token: "lt_1",
              phase: "a",
              run_status: "succeeded",
            },
            {
              outcome: "rejected",
              run_id: OTHER_RUN_ID,
              lease_token: "lt_2",
              error: problemBody("lease_lost", 409, "the lease expired"),
            },
          ],
        });
      }),
    );
    const c = client();
    const first = c.events.buffer(RUN_ID, { flushIntervalMs: 60_000 });
    const second = c.events.buffer(OTHER_RUN_ID, { flushIntervalMs: 60_000 });
    const unrelated = c.events.buffer(THIRD_RUN_ID, { flushIntervalMs: 60_000 });
    first.push({ type: "LOG", message: "a" });
    first.push({ type: "LOG", message: "b" });
    second.push({ type: "LOG", message: "c" });
    unrelated.push({ type: "LOG", message: "not in the batch" });

    const results = await c.leases.completeBatch([
      { run_id: RUN_ID, lease_token: "lt_1", status: "succeeded", output: {} },
      { run_id: OTHER_RUN_ID, lease_token: "lt_2", status: "failed", error: { message: "x" } },
    ]);

    // Both runs' events went out (in either order: the flushes run in parallel), then the batch.
    expect(order.slice(0, 2).sort()).toEqual([`events:${OTHER_RUN_ID}:1`, `events:${RUN_ID}:2`]);
    expect(order.slice(2)).toEqual(["completions"]);
    expect(unrelated.pendingCount).toBe(1);
    expect(completions).toHaveLength(2);
    expect(results.map((result) => result.outcome)).toEqual(["completed", "rejected"]);
    await Promise.all([first.close(), second.close(), unrelated.close()]);
  });

  it("retries a 503 with the same completions (the batch is idempotent)", async () => {
    const bodies: string[] = [];
    server.use(
      http.post(`${BASE_URL}/ops/completions`, async ({ request }) => {
        bodies.push(await request.text());
        if (bodies.length === 1) {
          return HttpResponse.json(problemBody("unavailable", 503), { status: 503 });
        }
        return HttpResponse.json({
          results: [
            {
              outcome: "completed",
              run_id: RUN_ID,
              lease_token: "lt_1",
              phase: "a",
              run_status: "running",
            },
          ],
        });
      }),
    );
    const results = await client().leases.completeBatch([
      { run_id: RUN_ID, lease_token: "lt_1", status: "succeeded" },
    ]);
    expect(results).toEqual([
      {
        outcome: "completed",
        run_id: RUN_ID,
        lease_token: "lt_1",
        phase: "a",
        run_status: "running",
      },
    ]);
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toBe(bodies[0]);
  });
});

describe("leases.completeAndClaim", () => {
  const completed = {
    outcome: "completed",
    run_id: RUN_ID,
    lease_token: "lt_1",
    phase: "a",
    run_status: "succeeded",
  } as const;
  const claim = { ...claimBody, max_leases: 2, start: true };

  it("sends the completions with the claim, a request_id minted once, and returns results and leases", async () => {
    const bodies: string[] = [];
    server.use(
      http.post(`${BASE_URL}/ops/completions`, async ({ request }) => {
        bodies.push(await request.text());
        if (bodies.length === 1) {
          return HttpResponse.json(problemBody("unavailable", 503), { status: 503 });
        }
        return HttpResponse.json({
          results: [completed],
          leases: [{ ...leaseBody, lease_token: "lt_2", run_id: OTHER_RUN_ID }],
        });
      }),
    );
    const answer = await client().leases.completeAndClaim(
      [{ run_id: RUN_ID, lease_token: "lt_1", status: "succeeded" }],
      claim,
    );
    expect(answer.results).toEqual([completed]);
    expect(answer.leases?.map((lease) => [lease.run_id, lease.lease_token])).toEqual([
      [OTHER_RUN_ID, "lt_2"],
    ]);
    // The retry repeats the request byte for byte: same completions, same claim.
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toBe(bodies[0]);
    const sent = JSON.parse(bodies[0]!) as {
      completions: unknown[];
      claim: Record<string, unknown>;
    };
    expect(sent.completions).toEqual([
      { run_id: RUN_ID, lease_token: "lt_1", status: "succeeded" },
    ]);
    expect(sent.claim).toEqual({
      ...claim,
      request_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7/),
    });
  });

  it("sends a given request_id as it is, and answers leases undefined from a server that ignored the claim", async () => {
    const given = "0190b7a4-8f1e-7c3a-9d2b-00000000abcd";
    let sent: { claim?: { request_id?: string } } = {};
    server.use(
      http.post(`${BASE_URL}/ops/completions`, async ({ request }) => {
        sent = (await request.json()) as typeof sent;
        // A control plane older than the claim: it answers the completions only.
        return HttpResponse.json({ results: [completed] });
      }),
    );
    const answer = await client().leases.completeAndClaim(
      [{ run_id: RUN_ID, lease_token: "lt_1", status: "succeeded" }],
      { ...claim, request_id: given },
    );
    expect(sent.claim?.request_id).toBe(given);
    expect(answer).toEqual({ results: [completed] });
    expect(answer.leases).toBeUndefined();
  });

  it("throws the server's validation error for a refused claim, not retried", async () => {
    let calls = 0;
    server.use(
      http.post(`${BASE_URL}/ops/completions`, () => {
        calls++;
        return HttpResponse.json(
          {
            ...problemBody("validation_failed", 400, "invalid body: body.claim: unrecognized key"),
            errors: [{ path: "body.claim", message: 'Unrecognized key: "wait_ms"' }],
          },
          { status: 400 },
        );
      }),
    );
    const error = await client()
      .leases.completeAndClaim([{ run_id: RUN_ID, lease_token: "lt_1", status: "succeeded" }], {
        ...claim,
        // A caller outside TypeScript may send it; the server refuses it.
        ...({ wait_ms: 1_000 } as object),
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual(["body.claim"]);
    expect(calls).toBe(1);
  });
});

describe("completionError", () => {
  const rejected = (code: string, status: number, extra: object = {}): RejectedCompletion =>
    ({
      outcome: "rejected",
      run_id: RUN_ID,
      lease_token: "lt_1",
      error: { ...problemBody(code, status, `${code} detail`), ...extra },
    }) as RejectedCompletion;

  it.each([
    ["lease_lost", 409, LeaseLostError],
    ["not_found", 404, NotFoundError],
    ["validation_failed", 400, ValidationError],
  ] as const)(
    "turns a rejected %s into the error leases.complete throws for it",
    async (code, status, ErrorClass) => {
      server.use(
        http.post(`${BASE_URL}/ops/runs/${RUN_ID}/complete`, () =>
          HttpResponse.json(problemBody(code, status, `${code} detail`), { status }),
        ),
      );
      const single = (await client()
        .leases.complete(RUN_ID, { lease_token: "lt_1", status: "succeeded" })
        .catch((e: unknown) => e)) as ApiError;
      const batched = completionError(rejected(code, status));
      expect(single).toBeInstanceOf(ErrorClass);
      expect(batched).toBeInstanceOf(ErrorClass);
      expect(batched.name).toBe(single.name);
      expect({ code: batched.code, status: batched.status, problem: batched.problem }).toEqual({
        code: single.code,
        status: single.status,
        problem: single.problem,
      });
      expect(batched.message).toContain(RUN_ID);
      expect(batched.message).toContain(`${code} detail`);
    },
  );

  it("keeps a validation problem's issues", () => {
    const issues = [{ path: "completions.0.error", message: "required when failed" }];
    const error = completionError(rejected("validation_failed", 400, { errors: issues }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual(issues);
  });
});
