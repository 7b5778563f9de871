import type { OpsStore, WakeSignal } from "../ops-store.js";

/** What {@link longPoll} needs to know. */
export interface LongPollOptions<T> {
  /** Tries once: claims, or reads events. Never waits itself. */
  attempt: () => Promise<T>;
  /** True when `attempt` found nothing worth answering with yet. */
  isEmpty: (result: T) => boolean;
  /** Where wake-ups come from. */
  store: Pick<OpsStore, "onWake">;
  /** Which wake-ups concern this poll. */
  matches: (signal: WakeSignal) => boolean;
  /** How long to wait in total, in milliseconds; 0 tries once. */
  waitMs: number;
  /** Re-check at least this often even without a wake-up, in milliseconds. */
  pollIntervalMs: number;
  /** Stops waiting (client gone, server shutting down); the last result is returned. */
  signal: AbortSignal;
  /** Milliseconds since the epoch. */
  clock: () => number;
}

/**
 * Tries `attempt` until it finds something, `waitMs` passes or `signal` aborts. Between
 * tries it sleeps until a matching store wake-up or `pollIntervalMs`, whichever comes
 * first: notifications make it prompt, the interval makes it correct when a
 * notification is lost or work becomes runnable by the clock (retry backoff). The
 * subscription is taken before the first try, so a wake-up that arrives while a try is
 * in flight is not missed.
 *
 * @example
 * ```ts
 * const lease = await longPoll({
 *   attempt: () => store.claim(claims, body),
 *   isEmpty: (lease) => lease === undefined,
 *   store, matches: (s) => s.kind === "runnable",
 *   waitMs: 30_000, pollIntervalMs: 500, signal: c.req.raw.signal, clock: Date.now,
 * });
 * ```
 */
export async function longPoll<T>(options: LongPollOptions<T>): Promise<T> {
  if (options.waitMs <= 0 || options.signal.aborted) return options.attempt();
  const deadline = options.clock() + options.waitMs;
  let wakeups = 0;
  let wake: (() => void) | undefined;
  const unsubscribe = options.store.onWake((signal) => {
    if (!options.matches(signal)) return;
    wakeups += 1;
    wake?.();
  });
  try {
    for (;;) {
      const seen = wakeups;
      const result = await options.attempt();
      if (!options.isEmpty(result)) return result;
      const remaining = deadline - options.clock();
      if (remaining <= 0 || options.signal.aborted) return result;
      if (wakeups !== seen) continue;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          options.signal.removeEventListener("abort", done);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, Math.min(remaining, options.pollIntervalMs));
        options.signal.addEventListener("abort", done, { once: true });
        wake = done;
      });
    }
  } finally {
    wake = undefined;
    unsubscribe();
  }
}
