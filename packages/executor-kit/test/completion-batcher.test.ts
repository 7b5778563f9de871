import type {
  CompleteRequest,
  Completion,
  CompletionResult,
  EventInput,
  HeartbeatResponse,
  Run,
} from "@controlroom/contract";
import {
  LeaseLostError,
  NotFoundError,
  UnexpectedResponseError,
  ValidationError,
} from "@controlroom/sdk";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { clientErrorKind } from "../src/internal/client-error-kind.js";
import { CompletionBatcher } from "../src/internal/completion-batcher.js";
import type { WorkerClient } from "../src/worker/worker-client.js";
import { httpError } from "./helpers/fake-client.js";
import { connectionError } from "./helpers/recording-client.js";

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks run (no timers involved). */
async function settleMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** Lets the current turn of the event loop end: an idle batcher sends then. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function completed(completion: Completion): CompletionResult {
  return {
    outcome: "completed",
    run_id: completion.run_id,
    lease_token: completion.lease_token,
    phase: "work",
    run_status: "succeeded",
  };
}

function leaseLost(completion: Completion): CompletionResult {
  return {
    outcome: "rejected",
    run_id: completion.run_id,
    lease_token: completion.lease_token,
    error: {
      type: "https://controlroom.dev/problems/lease_lost",
      title: "Lease lost",
      status: 409,
      detail: "the lease expired",
      code: "lease_lost",
    },
  };
}

/**
 * A client whose `completeBatch` answers only when the test says so (one deferred per
 * request), recording every request; `complete` records single completes.
 */
function scriptedClient(options: { batch?: boolean } = {}) {
  const requests: { completions: Completion[]; answer: Deferred<CompletionResult[]> }[] = [];
  const singles: { runId: string; body: CompleteRequest }[] = [];
  const client: WorkerClient = {
    claims: { claim: async () => null },
    leases: {
      heartbeat: async (): Promise<HeartbeatResponse> => ({
        expires_at: new Date(Date.now() + 60_000).toISOString(),
        cancel_requested: false,
      }),
      complete: async (runId, body) => {
        singles.push({ runId, body });
        return {} as Run;
      },
      ...(options.batch === false
        ? {}
        : {
            completeBatch: (completions: Completion[]) => {
              const answer = deferred<CompletionResult[]>();
              requests.push({ completions, answer });
              return answer.promise;
            },
          }),
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
  /** Answers request `index` with `completed` for each completion (or as `answer` says). */
  const answer = (
    index: number,
    result: (completion: Completion) => CompletionResult = completed,
  ) => {
    const request = requests[index];
    if (!request) throw new Error(`no request #${index}`);
    request.answer.resolve(request.completions.map(result));
  };
  return { client, requests, singles, answer };
}

function capturingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino(
    { level: "debug" },
    {
      write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }),
    },
  );
  return { logger, lines };
}

const silent = pino({ level: "silent" });

function body(name: string, overrides: Partial<CompleteRequest> = {}): CompleteRequest {
  return { lease_token: `token-${name}`, status: "succeeded", output: { name }, ...overrides };
}

describe("CompletionBatcher", () => {
  it("sends a complete at the end of the turn when no request is in flight, with those of the same turn", async () => {
    const { client, requests, answer } = scriptedClient();
    const batcher = new CompletionBatcher({ client, logger: silent });
    const done = batcher.complete("run-a", body("a"));
    const same = batcher.complete("run-b", body("b"));
    expect(requests).toEqual([]);
    // Sent once the turn ends: nothing waits for a timer.
    await nextTurn();
    expect(requests.map((r) => r.completions)).toEqual([
      [
        { run_id: "run-a", ...body("a") },
        { run_id: "run-b", ...body("b") },
      ],
    ]);
    answer(0);
    await expect(Promise.all([done, same])).resolves.toEqual([undefined, undefined]);
  });

  it("sends a complete alone when it is the turn's only one", async () => {
    const { client, requests, answer } = scriptedClient();
    const batcher = new CompletionBatcher({ client, logger: silent });
    const done = batcher.complete("run-a", body("a"));
    await nextTurn();
    expect(requests.map((r) => r.completions)).toEqual([[{ run_id: "run-a", ...body("a") }]]);
    answer(0);
    await expect(done).resolves.toBeUndefined();
  });

  it("queues completes while a request is in flight and sends them together when it answers", async () => {
    const { client, requests, answer } = scriptedClient();
    const batcher = new CompletionBatcher({ client, logger: silent });
    const first = batcher.complete("run-a", body("a"));
    await nextTurn();
    const rest = ["b", "c", "d"].map((name) => batcher.complete(`run-${name}`, body(name)));
    await settleMicrotasks();
    expect(requests).toHaveLength(1);
    answer(0);
    await first;
    expect(requests.map((r) => r.completions.map((c) => c.run_id))).toEqual([
      ["run-a"],
      ["run-b", "run-c", "run-d"],
    ]);
    answer(1);
    await expect(Promise.all(rest)).resolves.toEqual([undefined, undefined, undefined]);
    // Idle again: the next one goes at the end of its turn, alone.
    const later = batcher.complete("run-e", body("e"));
    await nextTurn();
    expect(requests.at(-1)?.completions.map((c) => c.run_id)).toEqual(["run-e"]);
    answer(2);
    await later;
  });

  it("sends at most 100 completions per request", async () => {
    const { client, requests, answer } = scriptedClient();
    const batcher = new CompletionBatcher({ client, logger: silent });
    const first = batcher.complete("run-0", body("0"));
    await nextTurn();
    const rest = Array.from({ length: 250 }, (_, i) =>
      batcher.complete(`run-${i + 1}`, body(String(i + 1))),
    );
    answer(0);
    await first;
    expect(requests.map((r) => r.completions.length)).toEqual([1, 100, 100, 50]);
    for (let i = 1; i < requests.length; i++) answer(i);
    await Promise.all(rest);
    // In order, each completion once.
    expect(requests.flatMap((r) => r.completions.map((c) => c.run_id))).toEqual(
      Array.from({ length: 251 }, (_, i) => `run-${i}`),
    );
  });

  it("keeps a request under the byte budget; a larger completion goes alone", async () => {
    const { client, requests, answer } = scriptedClient();
    const batcher = new CompletionBatcher({ client, logger: silent, maxBatchBytes: 1_000 });
    const first = batcher.complete("run-0", body("0"));
    await nextTurn();
    const big = { blob: "x".repeat(2_000) };
    const rest = [
      batcher.complete("run-1", body("1")),
      batcher.complete("run-2", body("2", { output: big })),
      batcher.complete("run-3", body("3")),
      batcher.complete("run-4", body("4")),
    ];
    answer(0);
    await first;
    for (let i = 1; i < 4; i++) {
      await settleMicrotasks();
      answer(i);
    }
    await Promise.all(rest);
    expect(requests.map((r) => r.completions.map((c) => c.run_id))).toEqual([
      ["run-0"],
      ["run-1"],
      ["run-2"],
      ["run-3", "run-4"],
    ]);
  });

  it("rejects a `rejected` completion with the SDK's error for it; the others resolve", async () => {
    const { client, answer } = scriptedClient();
    const batcher = new CompletionBatcher({ client, logger: silent });
    const first = batcher.complete("run-a", body("a"));
    await nextTurn();
    const lost = batcher.complete("run-b", body("b"));
    const fine = batcher.complete("run-c", body("c"));
    answer(0);
    await first;
    answer(1, (completion) =>
      completion.run_id === "run-b" ? leaseLost(completion) : completed(completion),
    );
    await expect(fine).resolves.toBeUndefined();
    const error = await lost.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeaseLostError);
    expect(clientErrorKind(error)).toBe("lease_lost");
  });

  it("rejects every completion of a request that failed as a whole with that error", async () => {
    const { client, requests, answer } = scriptedClient();
    const batcher = new CompletionBatcher({ client, logger: silent });
    const first = batcher.complete("run-a", body("a"));
    await nextTurn();
    const queued = [batcher.complete("run-b", body("b")), batcher.complete("run-c", body("c"))];
    answer(0);
    await first;
    const failure = connectionError();
    requests[1]?.answer.reject(failure);
    const errors = await Promise.all(queued.map((p) => p.catch((e: unknown) => e)));
    expect(errors).toEqual([failure, failure]);
    expect(clientErrorKind(failure)).toBe("transient");
    // Still batching: the retries go through the endpoint again.
    const retry = batcher.complete("run-b", body("b"));
    await nextTurn();
    expect(requests).toHaveLength(3);
    answer(2);
    await retry;
  });

  it("rejects a completion the answer has no result for as the SDK rejects a malformed answer", async () => {
    const { client, requests } = scriptedClient();
    const batcher = new CompletionBatcher({ client, logger: silent });
    const first = batcher.complete("run-a", body("a"));
    await nextTurn();
    const done = [first, batcher.complete("run-b", body("b"))];
    const otherToken = (completion: Completion) => ({ ...completion, lease_token: "other" });
    requests[0]?.answer.resolve([]);
    await done[0]?.catch(() => undefined);
    requests[1]?.answer.resolve(requests[1].completions.map(otherToken).map(completed));
    for (const promise of done) {
      const error = await promise.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnexpectedResponseError);
      // Not retried: the server speaks another contract.
      expect(clientErrorKind(error)).toBe("fatal");
    }
  });

  it("sends each completion alone when the server refuses a whole request, so only the culprit hears it", async () => {
    const { client, requests, answer } = scriptedClient();
    const batcher = new CompletionBatcher({ client, logger: silent });
    const first = batcher.complete("run-a", body("a"));
    await nextTurn();
    const queued = ["b", "c", "d"].map((name) => batcher.complete(`run-${name}`, body(name)));
    answer(0);
    await first;
    requests[1]?.answer.reject(httpError(400, "validation_failed"));
    await settleMicrotasks();
    expect(requests.slice(2).map((r) => r.completions.map((c) => c.run_id))).toEqual([
      ["run-b"],
      ["run-c"],
      ["run-d"],
    ]);
    answer(2);
    requests[3]?.answer.reject(httpError(400, "validation_failed"));
    answer(4);
    const outcomes = await Promise.allSettled(queued);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  });

  it("falls back to single completes for good when the server does not know the endpoint", async () => {
    const { client, requests, singles } = scriptedClient();
    const { logger, lines } = capturingLogger();
    const batcher = new CompletionBatcher({ client, logger });
    const first = batcher.complete("run-a", body("a"));
    await nextTurn();
    const queued = [batcher.complete("run-b", body("b")), batcher.complete("run-c", body("c"))];
    // What the SDK throws for the control plane's answer to an unknown route.
    requests[0]?.answer.reject(
      new NotFoundError({
        status: 404,
        code: "not_found",
        message: "there is no endpoint POST /ops/completions",
        requestId: undefined,
        problem: undefined,
        retryAfterMs: undefined,
      }),
    );
    await expect(Promise.all([first, ...queued])).resolves.toHaveLength(3);
    expect(batcher.batched).toBe(false);
    await batcher.complete("run-d", body("d"));
    expect(requests).toHaveLength(1);
    expect(singles.map((s) => [s.runId, s.body])).toEqual(
      ["a", "b", "c", "d"].map((name) => [`run-${name}`, body(name)]),
    );
    const notices = lines.filter((line) => line.msg.includes("/ops/completions"));
    expect(notices).toHaveLength(1);
    expect(notices[0]?.level).toBe(30); // info
  });

  it("treats a 405 from a proxy as an unknown endpoint too", async () => {
    const { client, requests, singles } = scriptedClient();
    const batcher = new CompletionBatcher({ client, logger: silent });
    const done = batcher.complete("run-a", body("a"));
    await nextTurn();
    requests[0]?.answer.reject(Object.assign(new Error("405"), { status: 405 }));
    await done;
    expect(singles.map((s) => s.runId)).toEqual(["run-a"]);
  });

  it("completes one attempt per request with a client that has no completeBatch", async () => {
    const { client, singles } = scriptedClient({ batch: false });
    const batcher = new CompletionBatcher({ client, logger: silent });
    expect(batcher.batched).toBe(false);
    await Promise.all([batcher.complete("run-a", body("a")), batcher.complete("run-b", body("b"))]);
    expect(singles.map((s) => s.runId)).toEqual(["run-a", "run-b"]);
  });

  it("passes a single complete's error through unchanged", async () => {
    const { client } = scriptedClient({ batch: false });
    const refusal = new ValidationError({
      status: 400,
      code: "validation_failed",
      message: "bad output",
      requestId: undefined,
      problem: undefined,
      retryAfterMs: undefined,
    });
    client.leases.complete = async () => {
      throw refusal;
    };
    const batcher = new CompletionBatcher({ client, logger: silent });
    await expect(batcher.complete("run-a", body("a"))).rejects.toBe(refusal);
  });

  describe("an attempt's last events", () => {
    const event = (message: string): EventInput => ({
      event_id: `00000000-0000-4000-8000-${String(message.length).padStart(12, "0")}`,
      type: "LOG",
      ts: "2026-01-01T00:00:00.000Z",
      level: "info",
      message,
      payload: {},
    });
    /** Events sent on their own, with what had been sent when each was. */
    function sender(requests: { completions: Completion[] }[], singles: unknown[]) {
      const sent: { items: string[]; requestsBefore: number; singlesBefore: number }[] = [];
      const send = async (items: EventInput[]) => {
        sent.push({
          items: items.map((item) => item.message ?? ""),
          requestsBefore: requests.length,
          singlesBefore: singles.length,
        });
      };
      return { sent, send };
    }
    const withEvents = (completion: Completion, accepted: number): CompletionResult => ({
      ...completed(completion),
      events: { accepted, duplicates: (completion.events?.length ?? 0) - accepted },
    });

    it("ride in the completion, and nothing is sent on its own", async () => {
      const { client, requests, singles, answer } = scriptedClient();
      const batcher = new CompletionBatcher({ client, logger: silent });
      const { sent, send } = sender(requests, singles);
      expect(batcher.carriesEvents).toBe(true);
      const items = [event("a"), event("bb")];
      const done = batcher.complete("run-a", body("a"), { events: { items, send } });
      await nextTurn();
      expect(requests[0]?.completions).toEqual([{ run_id: "run-a", ...body("a"), events: items }]);
      answer(0, (completion) => withEvents(completion, 2));
      await done;
      expect(sent).toEqual([]);
      expect(batcher.carriesEvents).toBe(true);
    });

    it("from a control plane that ignores them are sent at once, and first from then on", async () => {
      const { client, requests, singles, answer } = scriptedClient();
      const { logger, lines } = capturingLogger();
      const batcher = new CompletionBatcher({ client, logger });
      const { sent, send } = sender(requests, singles);
      const done = batcher.complete("run-a", body("a"), { events: { items: [event("a")], send } });
      await nextTurn();
      answer(0); // completed, without `events`
      await done;
      expect(sent).toEqual([{ items: ["a"], requestsBefore: 1, singlesBefore: 0 }]);
      expect(batcher.carriesEvents).toBe(false);
      const next = batcher.complete("run-b", body("b"), { events: { items: [event("bb")], send } });
      await settleMicrotasks();
      await nextTurn();
      // Sent before the completion, which carries none.
      expect(sent[1]).toEqual({ items: ["bb"], requestsBefore: 1, singlesBefore: 0 });
      expect(requests[1]?.completions).toEqual([{ run_id: "run-b", ...body("b") }]);
      answer(1);
      await next;
      expect(lines.filter((line) => line.msg.includes("ignored the events"))).toHaveLength(1);
    });

    it("of a completion rejected without them are sent on their own; carrying goes on", async () => {
      const { client, requests, singles, answer } = scriptedClient();
      const batcher = new CompletionBatcher({ client, logger: silent });
      const { sent, send } = sender(requests, singles);
      const lost = batcher.complete("run-a", body("a"), { events: { items: [event("a")], send } });
      await nextTurn();
      answer(0, leaseLost);
      await expect(lost).rejects.toBeInstanceOf(LeaseLostError);
      expect(sent.map((s) => s.items)).toEqual([["a"]]);
      expect(batcher.carriesEvents).toBe(true);
    });

    it("refused with their completion go on their own, then the completion without them", async () => {
      const { client, requests, singles, answer } = scriptedClient();
      const batcher = new CompletionBatcher({ client, logger: silent });
      const { sent, send } = sender(requests, singles);
      const done = batcher.complete("run-a", body("a"), { events: { items: [event("a")], send } });
      await nextTurn();
      requests[0]?.answer.reject(httpError(400, "validation_failed"));
      await settleMicrotasks();
      expect(sent).toEqual([{ items: ["a"], requestsBefore: 1, singlesBefore: 0 }]);
      expect(requests[1]?.completions).toEqual([{ run_id: "run-a", ...body("a") }]);
      answer(1);
      await done;
    });

    it("go first, on their own, when completes are single", async () => {
      const { client, requests, singles } = scriptedClient({ batch: false });
      const batcher = new CompletionBatcher({ client, logger: silent });
      const { sent, send } = sender(requests, singles);
      expect(batcher.carriesEvents).toBe(false);
      await batcher.complete("run-a", body("a"), { events: { items: [event("a")], send } });
      expect(sent).toEqual([{ items: ["a"], requestsBefore: 0, singlesBefore: 0 }]);
      expect(singles).toEqual([{ runId: "run-a", body: body("a") }]);
    });
  });
});
