import type { OpsStore } from "../../ops-store.js";
import type { LeaseReaper } from "../../server/lease-reaper.js";
import type { ConcurrencyGate } from "../concurrency-gate.js";
import type { NormalizedAppOptions } from "../control-plane-app-options.js";
import type { HttpStats } from "../http-stats.js";
import type { WakeRelay } from "../wake-relay.js";

/** What the endpoint handlers share: the store and the server's own bookkeeping. */
export interface HandlerDeps {
  store: OpsStore;
  reaper: LeaseReaper;
  options: NormalizedAppOptions;
  stats: HttpStats;
  inFlight: ConcurrencyGate;
  longPolls: ConcurrencyGate;
  /** Hands runnable wake-ups to parked claims, one at a time per group of alike claimers. */
  claimWakeups: WakeRelay;
}
