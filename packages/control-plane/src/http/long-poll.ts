import type { WakeSource } from "./wake-subscription.js";

/** What {@link longPoll} needs to know. */
export interface LongPollOptions<T> {
  /** Tries once: claims, or reads events. Never waits itself. */
  attempt: () => Promise<T>;
  /** True when `attempt` found nothing worth answering with yet. */
  isEmpty: (result: T) => boolean;
  /** The answer when `signal` had aborted before the first attempt: nothing was tried. */
  none: T;
  /** Where wake-ups come from (see `broadcastWakeups` and `WakeRelay`). */
  wakeups: WakeSource;
  /** How long to wait in total, in milliseconds; 0 tries once. */
  waitMs: number;
  /** Re-check at least this often even without a wake-up, in milliseconds. */
  pollIntervalMs: number;
  /**
   * Stops waiting (client gone, server shutting down): no attempt starts once it has
   * aborted, and the last result (or `none`) is returned.
   */
  signal: AbortSignal;
  /** Milliseconds since the epoch. */
  clock: () => number;
}

/**
 * Tries `attempt` until it finds something, `waitMs` passes or `signal` aborts. Between
 * tries it sleeps until a wake-up or `pollIntervalMs`, whichever comes first:
 * notifications make it prompt, the interval makes it correct when a notification is
 * lost or work becomes runnable by the clock (retry backoff). The subscription is taken
 * before the first try, so a wake-up that arrives while a try is in flight is not
 * missed. The signal is checked before every try: a claim made for a client that has
 * gone would hand its lease to no one and hold the phase until the lease expires.
 *
 * @example
 * ```ts
 * const lease = await longPoll({
 *   attempt: () => store.claim(claims, body),
 *   isEmpty: (lease) => lease === undefined,
 *   none: undefined,
 *   wakeups: () => relay.subscribe(groupKey),
 *   waitMs: 30_000, pollIntervalMs: 500, signal: c.req.raw.signal, clock: Date.now,
 * });
 * ```
 */
export async function longPoll<T>(options: LongPollOptions<T>): Promise<T> {
  const { signal } = options;
  if (signal.aborted) return options.none;
  if (options.waitMs <= 0) return options.attempt();
  const deadline = options.clock() + options.waitMs;
  const subscription = options.wakeups();
  try {
    let result = options.none;
    while (!signal.aborted) {
      result = await options.attempt();
      const found = !options.isEmpty(result);
      subscription.settled(found);
      const remaining = deadline - options.clock();
      if (found || remaining <= 0) return result;
      await subscription.sleep(Math.min(remaining, options.pollIntervalMs), signal);
    }
    return result;
  } finally {
    subscription.close();
  }
}
