import type { DeltaAction } from "./delta-actions.js";
import { listDeltaLog } from "./delta-log-listing.js";
import { DeltaLogState } from "./delta-log-state.js";
import type { DeltaSnapshot } from "./delta-snapshot.js";
import {
  type CachedDeltaVersion,
  type DeltaSnapshotCache,
  sameObject,
} from "./delta-snapshot-cache.js";
import { snapshotOfState } from "./delta-state-snapshot.js";
import {
  commitKeys,
  type DeltaLogContext,
  type LoadedDeltaState,
  type LoadVersion,
  loadDeltaState,
} from "./load-delta-state.js";
import { readCommitsInOrder } from "./read-commits-in-order.js";
import { commitTimestamp } from "./resolve-commit-timestamps.js";

/** A {@link DeltaLogContext} with the cache to read versions from and add them to. */
export interface CachedDeltaLogContext extends DeltaLogContext {
  /** @default undefined (every load replays the log) */
  cache?: DeltaSnapshotCache | undefined;
}

// Past this many commits after the newest cached version, a checkpoint nearer the
// target is likely cheaper than one small read per commit.
const MAX_REPLAYED_COMMITS = 100;

/**
 * {@link loadDeltaState} through a {@link DeltaSnapshotCache}. A cached version is used
 * once a `stat` of its commit shows the same object; the latest version lists the log
 * from the newest cached version (which must still be the same object) and replays
 * only the commits after it. Anything unexpected (a gap, a rewritten commit, too many
 * commits, time travel by timestamp) falls back to a full load, whose result is cached.
 * The returned state is shared with the cache and must not be changed.
 *
 * @example
 * ```ts
 * const cache = new DeltaSnapshotCache();
 * const { snapshot } = await loadCachedDeltaState({ store, location: "t", session, cache });
 * ```
 */
export async function loadCachedDeltaState(
  context: CachedDeltaLogContext,
  options: LoadVersion = {},
): Promise<LoadedDeltaState> {
  const { cache, store, location } = context;
  if (cache === undefined || options.timestamp !== undefined)
    return loadDeltaState(context, options);
  const { version, signal } = options;
  if (version !== undefined) {
    const hit = cache.get(store, location, version);
    if (hit !== undefined) {
      if (sameObject(hit.commit, await store.stat(hit.commit.key, { signal }))) return loaded(hit);
      cache.forget(store, location);
    }
  }
  const base = cache.newest(store, location, version ?? Number.MAX_SAFE_INTEGER);
  if (base !== undefined) {
    const replayed = await replayOnto(context, cache, base, version, signal);
    if (replayed !== undefined) return loaded(replayed);
  }
  const full = await loadDeltaState(context, options);
  const commit = full.listing?.commits.get(full.snapshot.version);
  // A version whose JSON commit is gone (only a checkpoint of it) cannot be checked later.
  if (commit === undefined) return full;
  const value = { state: full.state, snapshot: full.snapshot, commit };
  cache.set(store, location, value);
  return loaded(value);
}

/**
 * Caches the version a writer just committed: the state it read plus the actions it
 * wrote, exactly as they went into the commit file. The commit's listing entry (for
 * later checks and the version's timestamp) comes from listing the log from it.
 *
 * @example
 * ```ts
 * await cacheCommittedVersion(context, read, 8, "t/_delta_log/00000000000000000008.json", actions, signal);
 * ```
 */
export async function cacheCommittedVersion(
  context: CachedDeltaLogContext,
  read: { state: DeltaLogState; snapshot: DeltaSnapshot } | undefined,
  version: number,
  commitKey: string,
  actions: readonly DeltaAction[],
  signal: AbortSignal | undefined,
): Promise<void> {
  const { cache, store, location } = context;
  if (cache === undefined) return;
  // The commit as a listing describes it, as later listings will (a stat may give
  // its time at another precision, and the version's timestamp comes from it).
  const commit = (await listDeltaLog(store, location, signal, version)).commits.get(version);
  if (commit === undefined || commit.key !== commitKey) return;
  const state = read?.state.clone() ?? new DeltaLogState();
  for (const action of actions) state.apply(action);
  const snapshot = snapshotOfState(
    state,
    {
      version,
      timestamp: commitTimestamp(commit, actions),
      checkpointVersion: read?.snapshot.checkpointVersion,
      store,
      location,
    },
    read,
  );
  cache.set(store, location, { state, snapshot, commit });
}

async function replayOnto(
  context: CachedDeltaLogContext,
  cache: DeltaSnapshotCache,
  base: CachedDeltaVersion,
  version: number | undefined,
  signal: AbortSignal | undefined,
): Promise<CachedDeltaVersion | undefined> {
  const { store, location } = context;
  const from = base.snapshot.version;
  // Listing from the cached version includes its own commit, to check it is unchanged.
  const listing = await listDeltaLog(store, location, signal, from);
  if (!sameObject(base.commit, listing.commits.get(from))) {
    cache.forget(store, location);
    return undefined;
  }
  const target = version ?? listing.latestVersion;
  if (target === from) return base;
  // A version past the end, or a long way past the cache: the full load decides.
  if (target > listing.latestVersion || target - from > MAX_REPLAYED_COMMITS) return undefined;
  const state = base.state.clone();
  let actions: DeltaAction[] | undefined;
  for await (actions of readCommitsInOrder(store, commitKeys(listing, from + 1, target), signal)) {
    if (actions === undefined) return undefined;
    for (const action of actions) state.apply(action);
  }
  const commit = listing.commits.get(target);
  if (commit === undefined || actions === undefined) return undefined;
  const snapshot = snapshotOfState(
    state,
    {
      version: target,
      timestamp: commitTimestamp(commit, actions),
      checkpointVersion: base.snapshot.checkpointVersion,
      store,
      location,
    },
    base,
  );
  const value = { state, snapshot, commit };
  cache.set(store, location, value);
  return value;
}

// A cached snapshot is shared: hand out its own arrays and records, so a caller that
// sorts or extends them cannot change what the next reader gets.
function loaded(value: CachedDeltaVersion): LoadedDeltaState {
  const { snapshot } = value;
  return {
    state: value.state,
    snapshot: {
      ...snapshot,
      schema: { fields: [...snapshot.schema.fields] },
      partitionColumns: [...snapshot.partitionColumns],
      files: [...snapshot.files],
      properties: { ...snapshot.properties },
      txns: { ...snapshot.txns },
    },
  };
}
