import type { OpsStore } from "../ops-store.js";

/** Options of {@link LeaseReaper}. */
export interface LeaseReaperOptions {
  /**
   * How often {@link LeaseReaper.start} expires overdue leases; 0 runs it only on demand
   * ({@link LeaseReaper.maybeRun}).
   * @default 1000
   */
  intervalMs?: number | undefined;
  /** {@link LeaseReaper.maybeRun} does nothing if a pass started less than this ago. @default 250 */
  throttleMs?: number | undefined;
  /** Milliseconds since the epoch. @default Date.now */
  clock?: (() => number) | undefined;
  /** Called when a pass fails; the reaper keeps going. @default console.error */
  onError?: ((error: unknown) => void) | undefined;
}

/**
 * Expires leases that were not heartbeated in time (and attempts past their timeout),
 * on an interval and on demand when a claim finds nothing to claim. The store takes an advisory lock, so
 * several servers running reapers on one database do not step on each other; this
 * class only makes sure one server does not pile passes on top of each other.
 *
 * @example
 * ```ts
 * const reaper = new LeaseReaper(store, { intervalMs: 1_000 });
 * reaper.start();
 * await reaper.maybeRun(); // a claim found nothing: at most one pass per 250 ms
 * await reaper.stop();
 * ```
 */
export class LeaseReaper {
  readonly #store: Pick<OpsStore, "expireLeases">;
  readonly #intervalMs: number;
  readonly #throttleMs: number;
  readonly #clock: () => number;
  readonly #onError: (error: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #lastStartedAt = Number.NEGATIVE_INFINITY;
  #stopped = false;
  #expired = 0;

  constructor(store: Pick<OpsStore, "expireLeases">, options: LeaseReaperOptions = {}) {
    this.#store = store;
    this.#intervalMs = options.intervalMs ?? 1_000;
    this.#throttleMs = options.throttleMs ?? 250;
    this.#clock = options.clock ?? Date.now;
    this.#onError =
      options.onError ?? ((error) => console.error("[controlroom] lease reaper failed", error));
  }

  /** Leases this reaper has expired since it was created. */
  get expiredCount(): number {
    return this.#expired;
  }

  /** Starts the interval (no-op when `intervalMs` is 0 or it is already running). */
  start(): void {
    if (this.#timer || this.#intervalMs <= 0 || this.#stopped) return;
    this.#timer = setInterval(() => void this.maybeRun(), this.#intervalMs);
    // The reaper alone must not keep a process alive.
    this.#timer.unref();
  }

  /**
   * Runs a pass unless one is running (then waits for it) or one started less than
   * `throttleMs` ago. Never throws: a failed pass is reported to `onError`.
   */
  maybeRun(): Promise<void> {
    if (this.#running) return this.#running;
    if (this.#stopped || this.#clock() - this.#lastStartedAt < this.#throttleMs) {
      return Promise.resolve();
    }
    this.#lastStartedAt = this.#clock();
    this.#running = this.#store
      .expireLeases()
      .then(
        (count) => {
          this.#expired += count;
        },
        (error: unknown) => {
          if (!this.#stopped) this.#onError(error);
        },
      )
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  /** Stops the interval and waits for a pass in progress; later calls do nothing. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
