import { Buffer } from "node:buffer";
import {
  type CompleteRequest,
  type Completion,
  type CompletionClaim,
  type CompletionResult,
  type EventInput,
  type Lease,
  MAX_BATCH_SIZE,
} from "@controlroom/contract";
import { completionError, UnexpectedResponseError } from "@controlroom/sdk";
import type { Logger } from "pino";
import type { WorkerClient } from "../worker/worker-client.js";
import { clientErrorKind } from "./client-error-kind.js";
import { isUnknownRoute } from "./unknown-route.js";

/** Where an attempt's complete goes; resolves once the server accepted it. */
export interface CompletionSink {
  /**
   * Completes one attempt. Rejects with the error the single
   * `client.leases.complete(runId, body)` would have thrown (a `LeaseLostError` for a
   * lost lease, a connection error…), so callers handle both paths alike.
   */
  complete(runId: string, body: CompleteRequest, options?: CompleteOptions): Promise<void>;
  /**
   * Whether a complete may carry the attempt's last events now (`options.events`).
   * @default false
   */
  readonly carriesEvents?: boolean;
}

/** An attempt's last events, handed to its complete. */
export interface LastEvents {
  items: EventInput[];
  /**
   * Sends them in a request of their own (the attempt's event buffer), for when the
   * completion cannot carry them; never rejects (a failure is the buffer's to report).
   */
  send(items: EventInput[]): Promise<void>;
}

/** Options of {@link CompletionSink.complete}. */
export interface CompleteOptions {
  /**
   * Called once the server accepted the complete, before the returned promise settles
   * and before the batcher sends its next request: the attempt's slot is free from
   * then on, so that request may already claim for it.
   * @default none
   */
  onAccepted?: (() => void) | undefined;
  /**
   * The attempt's last events: carried in the completion request (appended just
   * before the verdict, in its transaction) when the sink `carriesEvents`, else sent
   * with `send` before the completion goes (after it only when a control plane that
   * ignores them has already applied it). Either way they are delivered before the
   * returned promise settles.
   * @default none
   */
  events?: LastEvents | undefined;
}

/**
 * The claims a worker has its completion requests carry: asked for one per request, and
 * told what became of it. The worker keeps the slot accounting; the batcher only sends.
 */
export interface ClaimAlong {
  /**
   * The claim to carry in a request that completes `completing` attempts (their slots
   * free up before it runs), or undefined for none. Its slots count as taken from now.
   * A completion the server then refuses did not free its slot after all: for the round
   * trip of the attempt's next complete the worker may hold one lease more (its phase
   * has ended, so no more phases run than slots).
   */
  next(completing: number): CompletionClaim | undefined;
  /**
   * The server applied the claim: `leases` are the worker's to start. Called before
   * any of the request's completions settle, so the slots they free are already
   * refilled when the attempts that held them end.
   */
  answered(claim: CompletionClaim, leases: Lease[]): void;
  /** The request failed without an answer: the claim may have been applied. */
  unanswered(claim: CompletionClaim): void;
  /** The claim was certainly not applied (the request was refused, or the server ignored it). */
  dropped(claim: CompletionClaim): void;
}

/** Options of {@link CompletionBatcher}. */
export interface CompletionBatcherOptions {
  client: WorkerClient;
  logger: Logger;
  /**
   * The most completions one request carries.
   * @default MAX_BATCH_SIZE (100)
   */
  maxBatch?: number;
  /**
   * The most body bytes one request carries (roughly: the completions' JSON); one
   * larger completion still goes, alone. Keeps a batch under the server's body limit.
   * @default 1 MiB
   */
  maxBatchBytes?: number;
  /**
   * Claims to carry in completion requests (`leases.completeAndClaim`), so that a busy
   * worker claims its next phases in the request that ends its last ones.
   * @default none: completion requests claim nothing
   */
  claimAlong?: ClaimAlong;
}

interface Pending {
  completion: Completion;
  bytes: number;
  /** Sends the completion's `events` in a request of their own. */
  sendEvents: ((items: EventInput[]) => Promise<void>) | undefined;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces the completes of one worker's attempts into `POST /ops/completions`
 * requests. With no request in flight a complete is sent at the end of the current turn
 * of the event loop (`setImmediate`: no timer, well under a millisecond), so the
 * attempts that end in the same turn, such as the leases one answer brought, go in one
 * request rather than the first alone and the rest after it; while one is in flight,
 * completes queue and go together, up to `maxBatch` a request, as soon as it answers.
 * Each completion's result settles its own promise: `completed` resolves, `rejected`
 * rejects with the SDK's error for that problem, and a failure of the whole request
 * rejects every completion in it with that error (callers retry; a repeated completion
 * has no second effect). A request the server refuses outright (400, 413…) is split so the refusal
 * reaches only the completion it concerns. Without `completeBatch`, or from a server
 * that does not know the endpoint (404/405), it completes one attempt per request
 * with `client.leases.complete`, for good.
 *
 * With `claimAlong` and a client that has `leases.completeAndClaim`, each request also
 * carries the claim `claimAlong.next()` plans, and the leases it brings back are handed
 * over before the completions settle. A server that ignores the claim (older than it)
 * or refuses it (400 on `claim`) is detected once: from then on requests claim nothing.
 *
 * Requests carry no abort signal: a worker that is shutting down still sends every
 * queued complete (its running phases wait for them).
 *
 * @example
 * ```ts
 * const completions = new CompletionBatcher({ client, logger });
 * await completions.complete(lease.run_id, { lease_token: lease.lease_token, status: "succeeded", output: {} });
 * ```
 */
export class CompletionBatcher implements CompletionSink {
  readonly #client: WorkerClient;
  readonly #logger: Logger;
  readonly #maxBatch: number;
  readonly #maxBatchBytes: number;
  readonly #queue: Pending[] = [];
  #batched: boolean;
  #claimAlong: ClaimAlong | undefined;
  #inFlight = 0;
  #drainScheduled = false;
  #carryEvents = true;

  constructor(options: CompletionBatcherOptions) {
    this.#client = options.client;
    this.#logger = options.logger;
    this.#maxBatch = Math.min(
      MAX_BATCH_SIZE,
      Math.max(1, Math.floor(options.maxBatch ?? MAX_BATCH_SIZE)),
    );
    this.#maxBatchBytes = Math.max(1, options.maxBatchBytes ?? 1024 * 1024);
    this.#batched = typeof options.client.leases.completeBatch === "function";
    this.#claimAlong =
      typeof options.client.leases.completeAndClaim === "function" ? options.claimAlong : undefined;
  }

  /** Whether completion requests still carry claims. */
  get claiming(): boolean {
    return this.#batched && this.#claimAlong !== undefined;
  }

  /** Whether completes still go through `POST /ops/completions`. */
  get batched(): boolean {
    return this.#batched;
  }

  get carriesEvents(): boolean {
    return this.#batched && this.#carryEvents;
  }

  async complete(
    runId: string,
    body: CompleteRequest,
    options: CompleteOptions = {},
  ): Promise<void> {
    const { onAccepted, events } = options;
    const items = events?.items ?? [];
    const carried = items.length > 0 && this.carriesEvents;
    // Events that cannot ride along go first, as their buffer would have sent them.
    if (items.length > 0 && !carried) await events?.send(items);
    const completion: Completion = {
      ...body,
      run_id: runId,
      ...(carried ? { events: items } : {}),
    };
    const sendEvents = events?.send;
    if (!this.#batched) {
      await this.#single({ completion, sendEvents });
      onAccepted?.();
      return;
    }
    return new Promise<void>((resolve, reject) => {
      const bytes = Buffer.byteLength(JSON.stringify(completion));
      const accepted = () => {
        onAccepted?.();
        resolve();
      };
      this.#queue.push({ completion, bytes, sendEvents, resolve: accepted, reject });
      if (this.#inFlight === 0 && !this.#drainScheduled) {
        this.#drainScheduled = true;
        setImmediate(() => {
          this.#drainScheduled = false;
          if (this.#inFlight === 0) this.#drain();
        });
      }
    });
  }

  /** Sends everything queued, in requests of at most `maxBatch` completions. */
  #drain(): void {
    while (this.#queue.length > 0) {
      if (!this.#batched) {
        for (const pending of this.#queue.splice(0)) this.#sendSingle(pending);
        return;
      }
      void this.#send(this.#take());
    }
  }

  #take(): Pending[] {
    const batch = this.#queue.splice(0, 1);
    let bytes = batch[0]?.bytes ?? 0;
    for (;;) {
      const next = this.#queue[0];
      if (next === undefined || batch.length >= this.#maxBatch) break;
      if (bytes + next.bytes > this.#maxBatchBytes) break;
      bytes += next.bytes;
      batch.push(next);
      this.#queue.shift();
    }
    return batch;
  }

  async #send(batch: Pending[]): Promise<void> {
    this.#inFlight++;
    try {
      const leases = this.#client.leases;
      if (typeof leases.completeBatch !== "function") {
        this.#fallBack("the client has no leases.completeBatch");
        for (const pending of batch) this.#sendSingle(pending);
        return;
      }
      const completions = batch.map((pending) => pending.completion);
      const along = this.#claimAlong;
      const claim = this.#batched ? along?.next(batch.length) : undefined;
      let answer: { results: CompletionResult[]; leases?: Lease[] | undefined };
      try {
        // Called as methods: the SDK's resources use `this`. (#claimAlong is only set
        // with a client that has completeAndClaim.)
        answer =
          claim === undefined
            ? { results: await leases.completeBatch(completions) }
            : await leases.completeAndClaim!(completions, claim);
      } catch (error) {
        if (along !== undefined && claim !== undefined && this.#claimFailed(along, claim, error)) {
          // Refused for the claim alone: the same completions go again, without one.
          void this.#send(batch);
          return;
        }
        this.#failed(batch, error);
        return;
      }
      if (along !== undefined && claim !== undefined) {
        if (answer.leases === undefined) {
          // A control plane older than the claim: it completed and claimed nothing.
          this.#stopClaiming("the control plane ignored the claim of POST /ops/completions");
          along.dropped(claim);
        } else {
          try {
            along.answered(claim, answer.leases);
          } catch (error) {
            // The worker's bug, not the request's: the completions still settle below.
            this.#logger.error({ err: String(error) }, "could not start the claimed leases");
          }
        }
      }
      const { results } = answer;
      for (const [index, pending] of batch.entries()) {
        const result = results[index];
        const { events } = pending.completion;
        if (events === undefined || result?.events !== undefined) {
          settle(pending, result);
          continue;
        }
        // Carried but not appended: a completed result that does not say so is from a
        // control plane that ignored them (older than `events`), which from now on gets
        // them first, in requests of their own; a rejected one appended none (its run
        // was not found). They go now, once, before the completion settles.
        if (result?.outcome === "completed") this.#stopCarryingEvents();
        void (pending.sendEvents?.(events) ?? Promise.resolve()).then(() =>
          settle(pending, result),
        );
      }
    } finally {
      this.#inFlight--;
      if (this.#queue.length > 0) this.#drain();
    }
  }

  /**
   * Tells `along` what became of a claim whose request failed; true when the server
   * refused the claim itself, which then stops for good.
   */
  #claimFailed(along: ClaimAlong, claim: CompletionClaim, error: unknown): boolean {
    const kind = clientErrorKind(error);
    // Anything but a refusal (no answer, a timeout, a 5xx, backpressure after retries)
    // may have followed an attempt the server applied: the claim is repeated later.
    if (kind !== "fatal") {
      along.unanswered(claim);
      return false;
    }
    along.dropped(claim);
    if (isUnknownRoute(error)) {
      // No POST /ops/completions at all: #failed falls back to single completes.
      this.#stopClaiming("the control plane has no POST /ops/completions");
      return false;
    }
    if (refusesClaim(error)) {
      this.#stopClaiming("the control plane refused the claim of POST /ops/completions");
      return true;
    }
    return false;
  }

  /** From now on, completion requests carry no claim (logged once). */
  #stopClaiming(why: string): void {
    if (this.#claimAlong === undefined) return;
    this.#claimAlong = undefined;
    this.#logger.info(`${why}; claiming in requests of their own`);
  }

  #failed(batch: Pending[], error: unknown): void {
    if (isUnknownRoute(error)) {
      this.#fallBack("the control plane has no POST /ops/completions");
      for (const pending of batch) this.#sendSingle(pending);
      return;
    }
    if (batch.length > 1 && clientErrorKind(error) === "fatal") {
      // The server refused the request itself (an output it does not accept, a body
      // over its limit): one completion may be the cause, so each goes alone and only
      // its own attempt hears the refusal.
      for (const pending of batch) void this.#send([pending]);
      return;
    }
    const [only] = batch;
    if (
      batch.length === 1 &&
      only?.completion.events !== undefined &&
      clientErrorKind(error) === "fatal"
    ) {
      // Refused alone with its events (one the server does not accept, or too many
      // bytes): they go on their own, as before (their buffer reports a refusal), and
      // the verdict after them.
      void this.#withoutEvents(only).then((pending) => this.#send([pending]));
      return;
    }
    for (const pending of batch) pending.reject(error);
  }

  /** From now on, completion requests carry no events (logged once). */
  #stopCarryingEvents(): void {
    if (!this.#carryEvents) return;
    this.#carryEvents = false;
    this.#logger.info(
      "the control plane ignored the events of POST /ops/completions; sending them first",
    );
  }

  /** From now on, one complete per request (logged once). */
  #fallBack(why: string): void {
    if (!this.#batched) return;
    this.#batched = false;
    this.#logger.info(`${why}; completing one attempt per request`);
  }

  #sendSingle(pending: Pending): void {
    this.#single(pending).then(pending.resolve, pending.reject);
  }

  // The single complete has no `events`: they go first, in a request of their own.
  async #single(pending: Pick<Pending, "completion" | "sendEvents">): Promise<void> {
    const { completion } = await this.#withoutEvents(pending);
    const { run_id: runId, ...body } = completion;
    await this.#client.leases.complete(runId, body);
  }

  /** The pending completion without its events, once they are sent on their own. */
  async #withoutEvents<T extends Pick<Pending, "completion" | "sendEvents">>(
    pending: T,
  ): Promise<T> {
    const { events, ...completion } = pending.completion;
    if (events === undefined) return pending;
    await pending.sendEvents?.(events);
    return { ...pending, completion, bytes: Buffer.byteLength(JSON.stringify(completion)) };
  }
}

/** Whether a 400 names the request's `claim` (`body.claim…`) among its problems. */
function refusesClaim(error: unknown): boolean {
  // Duck-typed like clientErrorKind: the SDK's ValidationError carries `problem.errors`.
  const shape = (error as { status?: unknown; problem?: { errors?: unknown } } | null) ?? {};
  if (shape.status !== 400 || !Array.isArray(shape.problem?.errors)) return false;
  return shape.problem.errors.some((issue: { path?: unknown }) => {
    const path = typeof issue?.path === "string" ? issue.path : "";
    return path === "body.claim" || path.startsWith("body.claim.");
  });
}

/** Settles one completion with its result, matched by position and checked by id. */
function settle(pending: Pending, result: CompletionResult | undefined): void {
  const { run_id, lease_token } = pending.completion;
  if (result === undefined || result.run_id !== run_id || result.lease_token !== lease_token) {
    // The server broke the contract (one result per completion, in order): what the
    // SDK throws for an answer that does not match its schema, and not retried either.
    pending.reject(
      new UnexpectedResponseError(
        200,
        `POST /ops/completions: the answer has no result for run ${run_id}'s completion`,
      ),
    );
  } else if (result.outcome === "completed") {
    pending.resolve();
  } else {
    pending.reject(completionError(result));
  }
}
