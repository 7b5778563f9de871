import { pino } from "pino";
import { EXECUTOR_KIT_VERSION } from "../internal/kit-version.js";
import type { OpenLineageRunEvent } from "./openlineage-event.js";
import {
  type OpenLineageTransport,
  type OpenTransport,
  openTransport,
} from "./openlineage-transport.js";

/** The `producer` of the kit's events unless told otherwise. */
export const DEFAULT_OPENLINEAGE_PRODUCER = `https://controlroom.dev/executor-kit/${EXECUTOR_KIT_VERSION}`;

/** The smallest logger an emitter warns through (a pino logger is one). */
export interface OpenLineageLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Options of {@link createOpenLineageEmitter}. */
export interface OpenLineageEmitterOptions {
  /**
   * Where events go: `{ type: "http", url, headers?, timeoutMs? }`, `{ type: "file",
   * path }` (JSON Lines) or a function. No default: required.
   */
  transport: OpenLineageTransport;
  /**
   * The job namespace: phases are jobs `<spec_slug>.<phase>` in it, runs `<spec_slug>`.
   * @default "controlroom"
   */
  namespace?: string | undefined;
  /**
   * The URI events name as their `producer` (and facets as `_producer`).
   * @default "https://controlroom.dev/executor-kit/<version>"
   */
  producer?: string | undefined;
  /**
   * The shortest interval between two RUNNING events of one phase attempt; a phase
   * sends one when it reports progress (`ctx.progress`). `Infinity` sends none.
   * @default 10_000
   */
  runningIntervalMs?: number | undefined;
  /**
   * Events waiting to be sent, at most; past that the oldest is dropped (and counted),
   * so a slow or dead endpoint costs bounded memory and never holds a phase up.
   * @default 1_000
   */
  maxQueue?: number | undefined;
  /**
   * How long `close()` waits for waiting events to be sent before dropping them.
   * @default 5_000
   */
  closeTimeoutMs?: number | undefined;
  /**
   * Where failed sends are logged (at most one line per 10 s, with counts).
   * @default a pino logger on stderr
   */
  logger?: OpenLineageLogger | undefined;
}

/** What an emitter has done so far. */
export interface OpenLineageEmitterStats {
  /** Events handed to `emit()`. */
  emitted: number;
  /** Events the transport took. */
  sent: number;
  /** Events the transport failed to take (an error, a non-2xx answer, a timeout). */
  failed: number;
  /** Events dropped unsent: the queue was full, or `close()` ran out of time. */
  dropped: number;
  /** Events waiting or being sent. */
  pending: number;
}

/**
 * Sends OpenLineage run events in the background, in the order they were emitted, one
 * at a time. `emit()` never throws and never waits: a failed send is logged and
 * counted, never the caller's problem. Hand one to `runWorker({ lineage })` to share it
 * with code that emits run-level events; close it yourself when done.
 */
export interface OpenLineageEmitter {
  /** The job namespace events use. */
  readonly namespace: string;
  /** The `producer` events carry. */
  readonly producer: string;
  /** The shortest interval between RUNNING events of one phase attempt. */
  readonly runningIntervalMs: number;
  /** Queues `event` for sending. Dropped (and counted) after `close()`. */
  emit(event: OpenLineageRunEvent): void;
  /**
   * Resolves once every queued event has been sent (or failed), or when `timeoutMs`
   * passes: `true` when the queue is empty.
   */
  flush(timeoutMs?: number): Promise<boolean>;
  /**
   * Stops accepting events, waits up to `closeTimeoutMs` for the queue, drops the rest
   * and releases the transport (closes the file). Idempotent.
   */
  close(): Promise<void>;
  /** Counters, for logs and tests. */
  stats(): OpenLineageEmitterStats;
}

/**
 * An emitter sending OpenLineage events to an HTTP endpoint, a JSON Lines file or a
 * function, through a bounded queue.
 *
 * @example
 * ```ts
 * const lineage = createOpenLineageEmitter({
 *   transport: { type: "http", url: "http://marquez:5000/api/v1/lineage" },
 *   namespace: "acme-prod",
 * });
 * await runWorker(executor, { client, lineage });
 * await lineage.close();
 * ```
 */
export function createOpenLineageEmitter(options: OpenLineageEmitterOptions): OpenLineageEmitter {
  return new QueueingEmitter(options);
}

/** True for an {@link OpenLineageEmitter} (as opposed to its options). */
export function isOpenLineageEmitter(value: unknown): value is OpenLineageEmitter {
  const candidate = value as Partial<OpenLineageEmitter> | null | undefined;
  return (
    typeof candidate?.emit === "function" &&
    typeof candidate.flush === "function" &&
    typeof candidate.close === "function"
  );
}

const WARN_INTERVAL_MS = 10_000;

class QueueingEmitter implements OpenLineageEmitter {
  readonly namespace: string;
  readonly producer: string;
  readonly runningIntervalMs: number;
  readonly #transport: OpenTransport;
  readonly #maxQueue: number;
  readonly #closeTimeoutMs: number;
  readonly #logger: OpenLineageLogger;
  readonly #queue: OpenLineageRunEvent[] = [];
  readonly #stats = { emitted: 0, sent: 0, failed: 0, dropped: 0 };
  #pumping: Promise<void> | undefined;
  #inFlight: AbortController | undefined;
  #closing: Promise<void> | undefined;
  #lastWarnAt = Number.NEGATIVE_INFINITY;
  #unreported = 0;

  constructor(options: OpenLineageEmitterOptions) {
    this.#transport = openTransport(options.transport);
    this.namespace = nonEmpty(options.namespace, "namespace") ?? "controlroom";
    this.producer = nonEmpty(options.producer, "producer") ?? DEFAULT_OPENLINEAGE_PRODUCER;
    const running = options.runningIntervalMs ?? 10_000;
    this.runningIntervalMs = Number.isNaN(running) ? 10_000 : Math.max(0, running);
    this.#maxQueue = Math.max(1, Math.floor(options.maxQueue ?? 1_000));
    this.#closeTimeoutMs = Math.max(0, options.closeTimeoutMs ?? 5_000);
    this.#logger =
      options.logger ??
      pino({ name: "openlineage", level: "warn" }, pino.destination({ dest: 2, sync: true }));
  }

  emit(event: OpenLineageRunEvent): void {
    this.#stats.emitted++;
    if (this.#closing) {
      this.#stats.dropped++;
      return;
    }
    if (this.#queue.length >= this.#maxQueue) {
      // The oldest goes: the newest events carry the latest state of each run.
      this.#queue.shift();
      this.#stats.dropped++;
      this.#warn("the OpenLineage queue is full; dropped the oldest event", undefined);
    }
    this.#queue.push(event);
    this.#kick();
  }

  async flush(timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    if (!this.#pumping) return this.#queue.length === 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<void>((resolve) => {
      if (Number.isFinite(timeoutMs)) timer = setTimeout(resolve, Math.max(0, timeoutMs));
    });
    // The pump may restart for events queued meanwhile; wait for the last one.
    const drained = (async () => {
      while (this.#pumping) await this.#pumping;
    })();
    await Promise.race([drained, timedOut]);
    if (timer) clearTimeout(timer);
    return !this.#pumping && this.#queue.length === 0;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      const drained = await this.flush(this.#closeTimeoutMs);
      if (!drained) {
        const left = this.#queue.length + (this.#inFlight ? 1 : 0);
        this.#stats.dropped += this.#queue.length;
        this.#queue.length = 0;
        // The send in flight counts as dropped when it gives up on the abort.
        this.#inFlight?.abort(new Error("the OpenLineage emitter closed"));
        this.#logger.warn(
          { unsent: left, timeout_ms: this.#closeTimeoutMs },
          "closing the OpenLineage emitter: events left unsent",
        );
        // A function transport may ignore its signal: do not wait for it for long.
        await this.flush(1_000);
      }
      try {
        await this.#transport.close();
      } catch (error) {
        this.#logger.warn(
          { err: errorMessage(error) },
          "could not close the OpenLineage transport",
        );
      }
    })();
    return this.#closing;
  }

  stats(): OpenLineageEmitterStats {
    return {
      ...this.#stats,
      pending: this.#queue.length + (this.#inFlight ? 1 : 0),
    };
  }

  #kick(): void {
    if (this.#pumping) return;
    this.#pumping = this.#pump().finally(() => {
      this.#pumping = undefined;
      // Events queued after the loop's last check start a new pump.
      if (this.#queue.length > 0) this.#kick();
    });
  }

  async #pump(): Promise<void> {
    // Never send inside emit(): the phase that emitted goes on at once.
    await Promise.resolve();
    for (let event = this.#queue.shift(); event; event = this.#queue.shift()) {
      const controller = new AbortController();
      this.#inFlight = controller;
      try {
        await this.#transport.send(event, controller.signal);
        this.#stats.sent++;
      } catch (error) {
        if (controller.signal.aborted) this.#stats.dropped++;
        else {
          this.#stats.failed++;
          this.#warn("could not send an OpenLineage event", error);
        }
      } finally {
        this.#inFlight = undefined;
      }
    }
  }

  #warn(message: string, error: unknown): void {
    const now = Date.now();
    if (now - this.#lastWarnAt < WARN_INTERVAL_MS) {
      this.#unreported++;
      return;
    }
    this.#lastWarnAt = now;
    const { emitted, sent, failed, dropped } = this.#stats;
    this.#logger.warn(
      {
        ...(error === undefined ? {} : { err: errorMessage(error) }),
        emitted,
        sent,
        failed,
        dropped,
        similar_since_last: this.#unreported,
      },
      message,
    );
    this.#unreported = 0;
  }
}

function nonEmpty(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "") {
    throw new TypeError(`createOpenLineageEmitter(): \`${name}\` must be a non-empty string`);
  }
  return value;
}

function errorMessage(error: unknown): string {
  const cause = (error as { cause?: unknown })?.cause;
  const message = error instanceof Error ? error.message : String(error);
  return cause instanceof Error ? `${message} (${cause.message})` : message;
}
