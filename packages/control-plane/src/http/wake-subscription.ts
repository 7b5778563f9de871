/**
 * One long-poll's line to the wake-ups that concern it. {@link longPoll} subscribes
 * before its first attempt, sleeps on it between attempts and reports what each attempt
 * found, so a source can decide whom to wake next.
 *
 * @example
 * ```ts
 * const subscription = wakeups();
 * try {
 *   await subscription.sleep(500, signal);
 * } finally {
 *   subscription.close();
 * }
 * ```
 */
export interface WakeSubscription {
  /**
   * Resolves when a wake-up for this waiter comes (at once when one came while it was
   * not sleeping), after `timeoutMs`, or when `signal` aborts, whichever is first.
   */
  sleep(timeoutMs: number, signal: AbortSignal): Promise<void>;
  /** Reports whether the attempt just made found something. */
  settled(found: boolean): void;
  /** Ends the subscription; call it once the long-poll is over. */
  close(): void;
}

/** Opens a {@link WakeSubscription} for one long-poll. */
export type WakeSource = () => WakeSubscription;

/**
 * Sleeps until `wake` is called, `timeoutMs` passes or `signal` aborts; cleans up its
 * timer and listener either way. The building block of both wake sources.
 */
export function sleepUntilWoken(
  timeoutMs: number,
  signal: AbortSignal,
  onPark: (wake: () => void) => void,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    signal.addEventListener("abort", done, { once: true });
    if (signal.aborted) done();
    else onPark(done);
  });
}
