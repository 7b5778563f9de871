import type {
  Completion,
  CompletionClaim,
  CompletionResult,
  HeartbeatResponse,
  Lease,
  Run,
} from "@controlroom/contract";
import { ValidationError } from "@controlroom/sdk";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { type ClaimAlong, CompletionBatcher } from "../src/internal/completion-batcher.js";
import type { WorkerClient } from "../src/worker/worker-client.js";
import { fakeLease, httpError } from "./helpers/fake-client.js";
import { connectionError } from "./helpers/recording-client.js";

type Answer = { results: CompletionResult[]; leases?: Lease[] };

interface Sent {
  completions: Completion[];
  claim: CompletionClaim | undefined;
  resolve(answer: Answer): void;
  reject(error: unknown): void;
}

/** A client whose completion requests answer when the test says so, recording each. */
function scriptedClient() {
  const sent: Sent[] = [];
  const request = (completions: Completion[], claim: CompletionClaim | undefined) =>
    new Promise<Answer>((resolve, reject) => {
      sent.push({ completions, claim, resolve, reject });
    });
  const client: WorkerClient = {
    claims: { claim: async () => null },
    leases: {
      heartbeat: async (): Promise<HeartbeatResponse> => ({
        expires_at: new Date(Date.now() + 60_000).toISOString(),
        cancel_requested: false,
      }),
      complete: async () => ({}) as Run,
      completeBatch: async (completions) => (await request(completions, undefined)).results,
      completeAndClaim: (completions, claim) => request(completions, claim as CompletionClaim),
    },
    events: {
      buffer: () => ({ push() {}, flush: async () => undefined, close: async () => undefined }),
    },
    artifacts: {
      put: async () => {
        throw new Error("not faked");
      },
    },
  };
  return { client, sent };
}

/** A ClaimAlong that plans `max_leases = completing` and records what it is told, in order. */
function recordingAlong(log: string[]) {
  let next = 0;
  const along: ClaimAlong = {
    next: (completing) => ({
      executor_id: "w",
      capabilities: [],
      environments: ["dev"],
      request_id: `00000000-0000-4000-8000-00000000000${++next}`,
      max_leases: completing,
    }),
    answered: (claim, leases) => log.push(`answered ${claim.max_leases}: ${leases.length}`),
    unanswered: (claim) => log.push(`unanswered ${claim.max_leases}`),
    dropped: (claim) => log.push(`dropped ${claim.max_leases}`),
  };
  return along;
}

/** A batcher over `client` whose claims along are planned and recorded by {@link recordingAlong}. */
function claimingBatcher(client: WorkerClient) {
  const log: string[] = [];
  const batcher = new CompletionBatcher({
    client,
    logger: silent,
    claimAlong: recordingAlong(log),
  });
  return { batcher, log };
}

const completed = (completion: Completion): CompletionResult => ({
  outcome: "completed",
  run_id: completion.run_id,
  lease_token: completion.lease_token,
  phase: "work",
  run_status: "succeeded",
});
const results = (request: Sent) => request.completions.map(completed);

const silent = pino({ level: "silent" });
const body = (name: string) => ({ lease_token: `token-${name}`, status: "succeeded" as const });

async function settleMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** Lets the current turn of the event loop end: an idle batcher sends then. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe("CompletionBatcher with claims along", () => {
  it("carries a claim sized for the completions, and hands its leases over before they settle", async () => {
    const { client, sent } = scriptedClient();
    const { batcher, log } = claimingBatcher(client);
    const first = batcher.complete("run-a", body("a")).then(() => log.push("settled a"));
    await nextTurn();
    const rest = ["b", "c"].map((name) =>
      batcher.complete(`run-${name}`, body(name)).then(() => log.push(`settled ${name}`)),
    );
    expect(sent.map((request) => request.claim?.max_leases)).toEqual([1]);
    sent[0]!.resolve({ results: results(sent[0]!), leases: [fakeLease("run-x")] });
    await first;
    expect(sent.map((request) => request.claim?.max_leases)).toEqual([1, 2]);
    sent[1]!.resolve({ results: results(sent[1]!), leases: [] });
    await Promise.all(rest);
    expect(log).toEqual(["answered 1: 1", "settled a", "answered 2: 0", "settled b", "settled c"]);
    expect(batcher.claiming).toBe(true);
  });

  it("sends no claim when none is planned", async () => {
    const { client, sent } = scriptedClient();
    const along = { ...recordingAlong([]), next: () => undefined };
    const batcher = new CompletionBatcher({ client, logger: silent, claimAlong: along });
    const done = batcher.complete("run-a", body("a"));
    await nextTurn();
    expect(sent[0]?.claim).toBeUndefined();
    sent[0]!.resolve({ results: results(sent[0]!) });
    await done;
  });

  it("stops claiming for good when the server ignores the claim (no `leases` in the answer)", async () => {
    const { client, sent } = scriptedClient();
    const { batcher, log } = claimingBatcher(client);
    const first = batcher.complete("run-a", body("a"));
    await nextTurn();
    sent[0]!.resolve({ results: results(sent[0]!) });
    await first;
    expect(log).toEqual(["dropped 1"]);
    expect(batcher.claiming).toBe(false);
    const second = batcher.complete("run-b", body("b"));
    await nextTurn();
    expect(sent[1]?.claim).toBeUndefined();
    sent[1]!.resolve({ results: results(sent[1]!) });
    await second;
  });

  it("resends the completions without a claim when the server refuses the claim, and stops claiming", async () => {
    const { client, sent } = scriptedClient();
    const { batcher, log } = claimingBatcher(client);
    const done = batcher.complete("run-a", body("a"));
    await nextTurn();
    sent[0]!.reject(
      new ValidationError({
        status: 400,
        code: "validation_failed",
        message: "invalid body",
        requestId: undefined,
        problem: {
          type: "https://controlroom.dev/problems/validation_failed",
          title: "Validation failed",
          status: 400,
          detail: "invalid body: body.claim: unrecognized key",
          code: "validation_failed",
          errors: [{ path: "body.claim", message: 'Unrecognized key: "wait_ms"' }],
        },
        retryAfterMs: undefined,
      }),
    );
    await settleMicrotasks();
    expect(
      sent.map((request) => [request.completions.length, request.claim === undefined]),
    ).toEqual([
      [1, false],
      [1, true],
    ]);
    sent[1]!.resolve({ results: results(sent[1]!) });
    await done;
    expect(log).toEqual(["dropped 1"]);
    expect(batcher.claiming).toBe(false);
  });

  it("keeps claiming after a refusal about the completions, and drops that request's claim", async () => {
    const { client, sent } = scriptedClient();
    const { batcher, log } = claimingBatcher(client);
    const done = batcher.complete("run-a", body("a"));
    await nextTurn();
    sent[0]!.reject(httpError(400, "validation_failed"));
    await expect(done).rejects.toMatchObject({ status: 400 });
    expect(log).toEqual(["dropped 1"]);
    expect(batcher.claiming).toBe(true);
  });

  it("reports a claim whose request got no answer as unanswered, and rejects its completions", async () => {
    const { client, sent } = scriptedClient();
    const { batcher, log } = claimingBatcher(client);
    const done = batcher.complete("run-a", body("a"));
    await nextTurn();
    const failure = connectionError();
    sent[0]!.reject(failure);
    await expect(done).rejects.toBe(failure);
    expect(log).toEqual(["unanswered 1"]);
    expect(batcher.claiming).toBe(true);
  });

  it("drops the claim and completes one attempt per request when the server has no POST /ops/completions", async () => {
    const { client, sent } = scriptedClient();
    const singles: string[] = [];
    client.leases.complete = async (runId) => {
      singles.push(runId);
      return {} as Run;
    };
    const { batcher, log } = claimingBatcher(client);
    const done = batcher.complete("run-a", body("a"));
    await nextTurn();
    sent[0]!.reject(httpError(404, "not_found"));
    await done;
    expect(log).toEqual(["dropped 1"]);
    expect(singles).toEqual(["run-a"]);
    expect(batcher.claiming).toBe(false);
  });

  it("never claims with a client that has no completeAndClaim", async () => {
    const { client, sent } = scriptedClient();
    delete client.leases.completeAndClaim;
    const { batcher } = claimingBatcher(client);
    expect(batcher.claiming).toBe(false);
    const done = batcher.complete("run-a", body("a"));
    await nextTurn();
    expect(sent[0]?.claim).toBeUndefined();
    sent[0]!.resolve({ results: results(sent[0]!) });
    await done;
  });
});
