import { describe, expect, it } from "vitest";
import type { WakeSignal } from "../ops-store.js";
import { broadcastWakeups } from "./broadcast-wakeups.js";
import { longPoll } from "./long-poll.js";

/** A store that only delivers wake-ups, when the test says so. */
function fakeStore() {
  const listeners = new Set<(signal: WakeSignal) => void>();
  return {
    onWake(listener: (signal: WakeSignal) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    wake(signal: WakeSignal) {
      for (const listener of [...listeners]) listener(signal);
    },
    get listeners() {
      return listeners.size;
    },
  };
}

const runnable = (signal: WakeSignal) => signal.kind === "runnable";
const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

describe("longPoll", () => {
  it("makes no attempt once its signal has aborted, however it was woken", async () => {
    const store = fakeStore();
    const controller = new AbortController();
    let attempts = 0;
    const poll = longPoll({
      attempt: async () => {
        attempts += 1;
        return undefined;
      },
      isEmpty: (result) => result === undefined,
      none: undefined,
      wakeups: broadcastWakeups(store, runnable),
      waitMs: 60_000,
      pollIntervalMs: 60_000,
      signal: controller.signal,
      clock: Date.now,
    });
    await tick();
    expect(attempts).toBe(1);
    controller.abort();
    // The work that appears now must not be claimed for a client that has gone.
    store.wake({ kind: "runnable" });
    await expect(poll).resolves.toBeUndefined();
    expect(attempts).toBe(1);
    expect(store.listeners).toBe(0);
  });

  it("answers `none` without any attempt when the signal aborted before it began", async () => {
    let attempts = 0;
    const result = await longPoll({
      attempt: async () => {
        attempts += 1;
        return "lease";
      },
      isEmpty: (value) => value === "nothing",
      none: "nothing",
      wakeups: broadcastWakeups(fakeStore(), runnable),
      waitMs: 0,
      pollIntervalMs: 100,
      signal: AbortSignal.abort(),
      clock: Date.now,
    });
    expect(result).toBe("nothing");
    expect(attempts).toBe(0);
  });

  it("tries again on a wake-up, and on one that came while an attempt was in flight", async () => {
    const store = fakeStore();
    const results = [undefined, undefined, "lease"];
    let attempts = 0;
    const poll = longPoll<string | undefined>({
      attempt: async () => {
        attempts += 1;
        // The first attempt's wake-up arrives before it returns: it must not be lost.
        if (attempts === 1) store.wake({ kind: "runnable" });
        return results[attempts - 1];
      },
      isEmpty: (result) => result === undefined,
      none: undefined,
      wakeups: broadcastWakeups(store, runnable),
      waitMs: 60_000,
      pollIntervalMs: 60_000,
      signal: new AbortController().signal,
      clock: Date.now,
    });
    await tick();
    expect(attempts).toBe(2);
    store.wake({ kind: "events", runId: "other" });
    await tick();
    expect(attempts).toBe(2);
    store.wake({ kind: "runnable" });
    await expect(poll).resolves.toBe("lease");
    expect(attempts).toBe(3);
  });
});
