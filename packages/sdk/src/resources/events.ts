import {
  type AppendEventsResponse,
  type Event,
  type EventList,
  type ListEventsQuery,
  TERMINAL_RUN_STATUSES,
} from "@controlroom/contract";
import type { CallOptions } from "../client-options.js";
import { EventBuffer, type EventBufferOptions, type EventDraft } from "../event-buffer.js";
import { completeDraft } from "../internal/complete-draft.js";
import type { HttpTransport } from "../internal/http-transport.js";

/**
 * Options of {@link EventsResource.iterate}.
 *
 * @example
 * ```ts
 * const options: IterateEventsOptions = { afterSeq: 41, follow: true, waitMs: 10_000, signal };
 * ```
 */
export interface IterateEventsOptions extends CallOptions {
  /**
   * Start after this `seq`.
   * @default 0
   */
  afterSeq?: number | undefined;
  /**
   * Keep waiting for new events (long-poll) until the run has ended and nothing more came.
   * @default false
   */
  follow?: boolean | undefined;
  /**
   * How long each long-poll waits when following.
   * @default 20_000
   */
  waitMs?: number | undefined;
  /**
   * Events per page.
   * @default 500
   */
  pageSize?: number | undefined;
}

const TERMINAL_RUN_EVENTS = new Set(["RUN_SUCCEEDED", "RUN_FAILED", "RUN_CANCELLED"]);

/**
 * A run's event trail: append (idempotent by `event_id`), read in `seq` order, tail.
 *
 * @example
 * ```ts
 * await client.events.append(runId, [{ type: "LOG", message: "hello" }]);
 * for await (const event of client.events.iterate(runId, { follow: true })) console.log(event.seq, event.type);
 * ```
 */
export class EventsResource {
  readonly #http: HttpTransport;
  readonly #buffers: Map<string, Set<EventBuffer>>;
  constructor(http: HttpTransport, buffers: Map<string, Set<EventBuffer>>) {
    this.#http = http;
    this.#buffers = buffers;
  }

  /**
   * Appends events. Ids and timestamps left out are minted once, before the first
   * attempt, so a retry is counted in `duplicates` instead of stored twice.
   */
  async append(
    runId: string,
    events: EventDraft[],
    options: CallOptions = {},
  ): Promise<AppendEventsResponse> {
    return this.#http.send({
      endpoint: "appendEvents",
      params: { run_id: runId },
      body: { events: events.map(completeDraft) },
      signal: options.signal,
    });
  }

  /** One page of events after `after_seq`; with `wait_ms` it waits for new ones. */
  async list(
    runId: string,
    query: ListEventsQuery = {},
    options: CallOptions = {},
  ): Promise<EventList> {
    return this.#http.send({
      endpoint: "listEvents",
      params: { run_id: runId },
      query: { ...query },
      signal: options.signal,
      extraTimeoutMs: query.wait_ms ?? 0,
    });
  }

  /**
   * Every event of the run in `seq` order, fetched page by page. With `follow`, tails
   * the run by long-poll and ends once the run has ended (its `RUN_SUCCEEDED`,
   * `RUN_FAILED` or `RUN_CANCELLED` came, or, when starting after that event, the run
   * is found terminal) and nothing more arrives. Break out of the loop or abort the
   * signal to stop earlier.
   */
  async *iterate(runId: string, options: IterateEventsOptions = {}): AsyncGenerator<Event> {
    const { follow = false, signal } = options;
    const limit = options.pageSize ?? 500;
    let afterSeq = options.afterSeq ?? 0;
    let ended = false;
    while (true) {
      const wait = follow && !ended ? (options.waitMs ?? 20_000) : undefined;
      const page = await this.list(
        runId,
        { after_seq: afterSeq, limit, ...(wait === undefined ? {} : { wait_ms: wait }) },
        { signal },
      );
      for (const event of page.items) {
        if (TERMINAL_RUN_EVENTS.has(event.type)) ended = true;
        yield event;
      }
      afterSeq = page.next_seq;
      if (page.items.length === limit) continue; // a full page: there is more right now
      if (!follow) return;
      if (ended) {
        // Drain what was appended after the end without waiting, then stop.
        if (page.items.length === 0) return;
        continue;
      }
      if (page.items.length === 0) {
        // A quiet wait: the run may have ended before `afterSeq`, where we cannot see it.
        const run = await this.#http.send({
          endpoint: "getRun",
          params: { run_id: runId },
          signal,
        });
        if (TERMINAL_RUN_STATUSES.includes(run.status)) ended = true;
      }
    }
  }

  /** A buffer that batches this run's events; `leases.complete` flushes it first. */
  buffer(runId: string, options: EventBufferOptions = {}): EventBuffer {
    const set = this.#buffers.get(runId) ?? new Set<EventBuffer>();
    this.#buffers.set(runId, set);
    const buffer: EventBuffer = new EventBuffer(
      (events) => this.append(runId, events),
      options,
      () => {
        set.delete(buffer);
        if (set.size === 0) this.#buffers.delete(runId);
      },
    );
    set.add(buffer);
    return buffer;
  }
}
