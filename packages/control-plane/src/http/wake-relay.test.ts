import { afterEach, describe, expect, it } from "vitest";
import type { WakeSignal } from "../ops-store.js";
import { WakeRelay } from "./wake-relay.js";
import type { WakeSubscription } from "./wake-subscription.js";

function fakeStore() {
  const listeners = new Set<(signal: WakeSignal) => void>();
  return {
    onWake(listener: (signal: WakeSignal) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    runnable() {
      for (const listener of [...listeners]) listener({ kind: "runnable" });
    },
    get listeners() {
      return listeners.size;
    },
  };
}

/** Ends the sleeps of a test's waiters that nobody woke. */
let sleeping = new AbortController();
afterEach(() => {
  sleeping.abort();
  sleeping = new AbortController();
});

/** A parked waiter: `woken` turns true when the relay wakes it (the sleep is long). */
function park(subscription: WakeSubscription) {
  const state = { woken: false };
  const asleep = sleeping.signal;
  void subscription.sleep(60_000, asleep).then(() => {
    if (!asleep.aborted) state.woken = true;
  });
  return state;
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("WakeRelay", () => {
  it("wakes one parked claimer per wake-up, and the next only when that one found work", async () => {
    const store = fakeStore();
    const relay = new WakeRelay(store, (signal) => signal.kind === "runnable");
    const subscriptions = [relay.subscribe("g"), relay.subscribe("g"), relay.subscribe("g")];
    const [a, b, c] = subscriptions.map(park) as [
      { woken: boolean },
      { woken: boolean },
      { woken: boolean },
    ];
    store.runnable();
    await flush();
    expect([a.woken, b.woken, c.woken]).toEqual([true, false, false]);

    // The first found a phase: there may be more, so the next one gets a turn.
    subscriptions[0]!.settled(true);
    await flush();
    expect([a.woken, b.woken, c.woken]).toEqual([true, true, false]);

    // The second found nothing: its group-mates would not either.
    subscriptions[1]!.settled(false);
    await flush();
    expect(c.woken).toBe(false);

    for (const subscription of subscriptions) subscription.close();
    expect(store.listeners).toBe(0);
  });

  it("wakes every group on its own: other tenants or capabilities may take what one cannot", async () => {
    const store = fakeStore();
    const relay = new WakeRelay(store, (signal) => signal.kind === "runnable");
    const one = relay.subscribe("tenant-a");
    const other = relay.subscribe("tenant-b");
    const [a, b] = [park(one), park(other)];
    store.runnable();
    await flush();
    expect([a.woken, b.woken]).toEqual([true, true]);
    one.close();
    other.close();
  });

  it("keeps a wake-up that came while nobody slept for the next one to park", async () => {
    const store = fakeStore();
    const relay = new WakeRelay(store, (signal) => signal.kind === "runnable");
    const subscription = relay.subscribe("g");
    // The waiter is busy with an attempt when the work appears.
    store.runnable();
    subscription.settled(false);
    const waiter = park(subscription);
    await flush();
    expect(waiter.woken).toBe(true);
    subscription.close();
  });

  it("passes the wake-up on when the woken claimer leaves before it reports", async () => {
    const store = fakeStore();
    const relay = new WakeRelay(store, (signal) => signal.kind === "runnable");
    const first = relay.subscribe("g");
    const second = relay.subscribe("g");
    const [a, b] = [park(first), park(second)];
    store.runnable();
    await flush();
    expect([a.woken, b.woken]).toEqual([true, false]);
    first.close();
    await flush();
    expect(b.woken).toBe(true);
    second.close();
  });
});
