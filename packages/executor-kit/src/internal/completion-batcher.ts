import { Buffer } from "node:buffer";
import {
  type CompleteRequest,
  type Completion,
  type CompletionResult,
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
  complete(runId: string, body: CompleteRequest): Promise<void>;
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
}

interface Pending {
  completion: Completion;
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces the completes of one worker's attempts into `POST /ops/completions`
 * requests. With no request in flight a complete is sent at once (an idle worker waits
 * for nothing: no timer, no delay); while one is in flight, completes queue and go
 * together, up to `maxBatch` a request, as soon as it answers. Each completion's
 * result settles its own promise: `completed` resolves, `rejected` rejects with the
 * SDK's error for that problem, and a failure of the whole request rejects every
 * completion in it with that error (callers retry; a repeated completion has no second
 * effect). A request the server refuses outright (400, 413…) is split so the refusal
 * reaches only the completion it concerns. Without `completeBatch`, or from a server
 * that does not know the endpoint (404/405), it completes one attempt per request
 * with `client.leases.complete`, for good.
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
  #inFlight = 0;

  constructor(options: CompletionBatcherOptions) {
    this.#client = options.client;
    this.#logger = options.logger;
    this.#maxBatch = Math.min(
      MAX_BATCH_SIZE,
      Math.max(1, Math.floor(options.maxBatch ?? MAX_BATCH_SIZE)),
    );
    this.#maxBatchBytes = Math.max(1, options.maxBatchBytes ?? 1024 * 1024);
    this.#batched = typeof options.client.leases.completeBatch === "function";
  }

  /** Whether completes still go through `POST /ops/completions`. */
  get batched(): boolean {
    return this.#batched;
  }

  complete(runId: string, body: CompleteRequest): Promise<void> {
    const completion: Completion = { ...body, run_id: runId };
    if (!this.#batched) return this.#single(completion);
    return new Promise<void>((resolve, reject) => {
      const bytes = Buffer.byteLength(JSON.stringify(completion));
      this.#queue.push({ completion, bytes, resolve, reject });
      if (this.#inFlight === 0) this.#drain();
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
      // Called as a method: the SDK's resources use `this`.
      const results = await leases.completeBatch(batch.map((pending) => pending.completion));
      for (const [index, pending] of batch.entries()) settle(pending, results[index]);
    } catch (error) {
      this.#failed(batch, error);
    } finally {
      this.#inFlight--;
      if (this.#queue.length > 0) this.#drain();
    }
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
    for (const pending of batch) pending.reject(error);
  }

  /** From now on, one complete per request (logged once). */
  #fallBack(why: string): void {
    if (!this.#batched) return;
    this.#batched = false;
    this.#logger.info(`${why}; completing one attempt per request`);
  }

  #sendSingle(pending: Pending): void {
    this.#single(pending.completion).then(pending.resolve, pending.reject);
  }

  async #single(completion: Completion): Promise<void> {
    const { run_id: runId, ...body } = completion;
    await this.#client.leases.complete(runId, body);
  }
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
