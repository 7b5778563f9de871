import type { OpsStore, WakeSignal } from "../ops-store.js";
import { sleepUntilWoken, type WakeSubscription } from "./wake-subscription.js";

interface Waiter {
  wake: (() => void) | undefined;
}

/** Waiters that would claim the same work: one tenant, one set of capabilities and environments. */
interface Group {
  /** Sleeping waiters, longest asleep first (a Set keeps insertion order). */
  parked: Set<Waiter>;
  /** The waiter woken for the latest wake-up whose attempt has not settled yet. */
  inFlight: Waiter | undefined;
  /** A wake-up (or a found lease: there may be more) that no woken attempt has followed yet. */
  pending: boolean;
  members: number;
}

/**
 * Hands wake-ups for new runnable work to parked claims one at a time per group of
 * alike claimers, instead of waking all of them to race for what is often one phase
 * (the losers would each spend a claim transaction to find nothing). The woken claim
 * that finds work passes the wake-up on to the next waiter of its group, since more
 * may be runnable (one NOTIFY can stand for a whole batch of runs); one that finds
 * nothing ends the relay, as its group-mates would find nothing either. Groups are
 * woken independently: claimers of another tenant or with other capabilities or
 * environments may be able to take what this group cannot.
 *
 * Waking is only ever an optimisation: every waiter still re-checks on its own poll
 * interval, so a wake-up lost here costs latency, never work.
 *
 * @example
 * ```ts
 * const relay = new WakeRelay(store, (signal) => signal.kind === "runnable");
 * const wakeups = () => relay.subscribe(`${tenant}|${capabilities}|${environments}`);
 * ```
 */
export class WakeRelay {
  readonly #store: Pick<OpsStore, "onWake">;
  readonly #matches: (signal: WakeSignal) => boolean;
  readonly #groups = new Map<string, Group>();
  #unsubscribe: (() => void) | undefined;

  constructor(store: Pick<OpsStore, "onWake">, matches: (signal: WakeSignal) => boolean) {
    this.#store = store;
    this.#matches = matches;
  }

  /** Joins the group `key` until the returned subscription is closed. */
  subscribe(key: string): WakeSubscription {
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = { parked: new Set(), inFlight: undefined, pending: false, members: 0 };
      this.#groups.set(key, group);
    }
    const joined = group;
    joined.members += 1;
    // Listen to the store only while someone waits, so an idle app holds no listener.
    this.#unsubscribe ??= this.#store.onWake((signal) => {
      if (this.#matches(signal)) this.#signal();
    });
    const waiter: Waiter = { wake: undefined };
    let closed = false;
    return {
      sleep: async (timeoutMs, signal) => {
        await sleepUntilWoken(timeoutMs, signal, (done) => {
          waiter.wake = done;
          joined.parked.add(waiter);
          this.#dispatch(joined);
        });
        waiter.wake = undefined;
        joined.parked.delete(waiter);
      },
      settled: (found) => {
        if (joined.inFlight !== waiter) return;
        joined.inFlight = undefined;
        if (found) joined.pending = true;
        this.#dispatch(joined);
      },
      close: () => {
        if (closed) return;
        closed = true;
        joined.parked.delete(waiter);
        joined.members -= 1;
        if (joined.inFlight === waiter) {
          // It left before reporting: pass the wake-up on rather than lose it.
          joined.inFlight = undefined;
          joined.pending = true;
          this.#dispatch(joined);
        }
        if (joined.members === 0) this.#groups.delete(key);
        if (this.#groups.size === 0) {
          this.#unsubscribe?.();
          this.#unsubscribe = undefined;
        }
      },
    };
  }

  #signal(): void {
    for (const group of this.#groups.values()) {
      group.pending = true;
      this.#dispatch(group);
    }
  }

  /** Wakes the group's longest-parked waiter when a wake-up is pending and none is in flight. */
  #dispatch(group: Group): void {
    if (!group.pending || group.inFlight !== undefined) return;
    const next = group.parked.values().next();
    if (next.done) return;
    const waiter = next.value;
    group.parked.delete(waiter);
    group.pending = false;
    group.inFlight = waiter;
    waiter.wake?.();
  }
}
