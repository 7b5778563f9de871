import type { OpsStore, WakeSignal } from "../ops-store.js";
import { sleepUntilWoken, type WakeSource } from "./wake-subscription.js";

/**
 * Every matching store wake-up wakes every subscriber. Right for event reads: all
 * readers of a run want its new events, and they do not compete for them. A wake-up
 * that comes while a subscriber is not sleeping (its attempt is in flight) is kept, so
 * its next sleep returns at once instead of missing the news.
 *
 * @example
 * ```ts
 * const wakeups = broadcastWakeups(store, (s) => s.kind === "events" && s.runId === runId);
 * ```
 */
export function broadcastWakeups(
  store: Pick<OpsStore, "onWake">,
  matches: (signal: WakeSignal) => boolean,
): WakeSource {
  return () => {
    let pending = false;
    let wake: (() => void) | undefined;
    const unsubscribe = store.onWake((signal) => {
      if (!matches(signal)) return;
      if (wake) wake();
      else pending = true;
    });
    return {
      async sleep(timeoutMs, signal) {
        if (pending) {
          pending = false;
          return;
        }
        await sleepUntilWoken(timeoutMs, signal, (done) => {
          wake = done;
        });
        wake = undefined;
      },
      settled() {},
      close() {
        wake = undefined;
        unsubscribe();
      },
    };
  };
}
