import { type EventInput, MAX_EVENTS_PER_APPEND } from "@controlroom/contract";
import { completeDraft } from "./internal/complete-draft.js";
import { isRetryable } from "./internal/retry-decision.js";

/**
 * An event as a caller writes it: the contract's `EventInput` with `event_id` and `ts`
 * optional. The SDK fills them in once (a UUID v7 and the current time) before the
 * first attempt, so a retried append is de-duplicated by the server.
 *
 * @example
 * ```ts
 * const draft: EventDraft = { type: "PHASE_PROGRESS", phase: "ingest", message: "50%", payload: { rows: 500 } };
 * ```
 */
export type EventDraft = Omit<EventInput, "event_id" | "ts"> & {
  event_id?: string | undefined;
  ts?: string | undefined;
};

/**
 * Options of {@link EventBuffer}.
 *
 * @example
 * ```ts
 * const buffer = client.events.buffer(runId, { maxBatch: 500, flushIntervalMs: 2_000, onError: console.warn });
 * ```
 */
export interface EventBufferOptions {
  /**
   * Send as soon as this many events are waiting (at most 1000, the contract's cap).
   * @default 100
   */
  maxBatch?: number | undefined;
  /**
   * Send waiting events at least this often.
   * @default 1000
   */
  flushIntervalMs?: number | undefined;
  /**
   * Told each time a background flush (by size or interval) fails after the client's
   * own retries. The events stay buffered, in order, with the same ids: a failure that
   * may pass (network, 429, 5xx) is tried again after `flushIntervalMs`, and every
   * later `flush()` or `close()` sends them too, rejecting if it still cannot.
   * @default undefined (background failures are only reported by flush() and close())
   */
  onError?: ((error: unknown) => void) | undefined;
}

/**
 * Batches a run's events: by count and by time, ids minted client side when pushed,
 * so a resend after a failure is de-duplicated by the server. It never drops an event
 * silently: a failed flush keeps the events for the next one and reports the error.
 *
 * @example
 * ```ts
 * const buffer = client.events.buffer(runId, { maxBatch: 200 });
 * buffer.push({ type: "LOG", phase: "ingest", level: "info", message: "read 1000 rows" });
 * await buffer.close(); // flushes what is left
 * ```
 */
export class EventBuffer {
  readonly #send: (events: EventInput[]) => Promise<unknown>;
  readonly #maxBatch: number;
  readonly #intervalMs: number;
  readonly #onError: ((error: unknown) => void) | undefined;
  readonly #onClose: () => void;
  #pending: EventInput[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #chain: Promise<void> = Promise.resolve();
  #lastError: unknown;
  #closed = false;

  constructor(
    send: (events: EventInput[]) => Promise<unknown>,
    options: EventBufferOptions = {},
    onClose: () => void = () => {},
  ) {
    this.#send = send;
    this.#maxBatch = Math.min(MAX_EVENTS_PER_APPEND, Math.max(1, options.maxBatch ?? 100));
    this.#intervalMs = Math.max(0, options.flushIntervalMs ?? 1000);
    this.#onError = options.onError;
    this.#onClose = onClose;
  }

  /** Events pushed and not yet accepted by the server. */
  get pendingCount(): number {
    return this.#pending.length;
  }

  /** Queues an event and returns it with its id and timestamp. */
  push(draft: EventDraft): EventInput {
    if (this.#closed) throw new Error("EventBuffer is closed");
    const event = completeDraft(draft);
    this.#pending.push(event);
    if (this.#pending.length >= this.#maxBatch) void this.#background();
    else this.#arm();
    return event;
  }

  /** Sends everything pushed so far; rejects if some could not be sent (they stay buffered). */
  flush(): Promise<void> {
    this.#clearTimer();
    const run = this.#chain.then(() => this.#drain());
    this.#chain = run.catch(() => {});
    return run;
  }

  /**
   * Waits for a send in progress, then removes and returns every event the server has
   * not accepted, in order, with their ids and timestamps: the caller delivers them
   * another way (a worker carries an attempt's last events in its completion request).
   * A failure reported for them is dropped with them. The buffer stays open.
   *
   * @example
   * ```ts
   * const events = await buffer.take();
   * await client.leases.completeBatch([{ run_id, lease_token, status: "succeeded", output: {}, events }]);
   * ```
   */
  take(): Promise<EventInput[]> {
    this.#clearTimer();
    const taking = this.#chain.then(() => {
      this.#lastError = undefined;
      return this.#pending.splice(0);
    });
    this.#chain = taking.then(
      () => undefined,
      () => undefined,
    );
    return taking;
  }

  /** Flushes and stops accepting events. Rejects when events could not be sent. */
  async close(): Promise<void> {
    if (this.#closed) return this.flush();
    this.#closed = true;
    try {
      await this.flush();
    } finally {
      this.#onClose();
    }
  }

  #arm(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => void this.#background(), this.#intervalMs);
    // A pending flush must not keep the process alive; close() is what guarantees delivery.
    this.#timer.unref?.();
  }

  async #background(): Promise<void> {
    try {
      await this.flush();
    } catch (error) {
      if (this.#onError) {
        try {
          this.#onError(error);
        } catch {
          // A throwing handler must not become an unhandled rejection.
        }
      } else {
        this.#lastError = error;
      }
      // A failure that may pass (server busy, network) is retried on the next tick;
      // one that cannot (a rejected batch) waits for flush() or close() to report it.
      if (!this.#closed && this.#pending.length > 0 && isRetryable(error)) this.#arm();
    }
  }

  async #drain(): Promise<void> {
    if (this.#lastError !== undefined && this.#pending.length === 0) {
      const error = this.#lastError;
      this.#lastError = undefined;
      throw error;
    }
    this.#lastError = undefined;
    while (this.#pending.length > 0) {
      const batch = this.#pending.slice(0, this.#maxBatch);
      // On failure the batch stays at the head of the queue, in order.
      await this.#send(batch);
      this.#pending.splice(0, batch.length);
    }
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
