import {
  type AppendEventsResponse,
  AppendEventsResponseSchema,
  type Event,
  type EventList,
  EventListSchema,
  type ListEventsQuery,
} from "@controlroom/contract";
import type { CallOptions } from "../client-options.js";
import {
  completeDraft,
  EventBuffer,
  type EventBufferOptions,
  type EventDraft,
} from "../event-buffer.js";
import type { HttpTransport } from "../internal/http-transport.js";

/** Options of {@link EventsResource.iterate}. */
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
    const { data } = await this.#http.send({
      method: "POST",
      path: `/ops/runs/${encodeURIComponent(runId)}/events`,
      body: { events: events.map(completeDraft) },
      schema: AppendEventsResponseSchema,
      signal: options.signal,
    });
    return data!;
  }

  /** One page of events after `after_seq`; with `wait_ms` it waits for new ones. */
  async list(
    runId: string,
    query: ListEventsQuery = {},
    options: CallOptions = {},
  ): Promise<EventList> {
    const { data } = await this.#http.send({
      method: "GET",
      path: `/ops/runs/${encodeURIComponent(runId)}/events`,
      query: { ...query },
      schema: EventListSchema,
      signal: options.signal,
      extraTimeoutMs: Number(query.wait_ms ?? 0),
    });
    return data!;
  }

  /** Every event of the run in order; with `follow`, tails it until it ends. */
  async *iterate(runId: string, options: IterateEventsOptions = {}): AsyncGenerator<Event> {
    let afterSeq = options.afterSeq ?? 0;
    let ended = false;
    const limit = options.pageSize ?? 500;
    while (true) {
      const wait = options.follow && !ended ? (options.waitMs ?? 20_000) : undefined;
      const page = await this.list(
        runId,
        { after_seq: afterSeq, limit, ...(wait !== undefined ? { wait_ms: wait } : {}) },
        { signal: options.signal },
      );
      for (const event of page.items) {
        if (TERMINAL_RUN_EVENTS.has(event.type)) ended = true;
        yield event;
      }
      afterSeq = page.next_seq;
      if (page.items.length === limit) continue;
      if (!options.follow || (ended && page.items.length === 0)) return;
      if (ended) continue; // drain what came with the end, then stop
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
