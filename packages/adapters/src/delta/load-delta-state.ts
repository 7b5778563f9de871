import type { ObjectStore } from "@controlroom/executor-kit";
import type { DeltaAction } from "./delta-actions.js";
import { readCheckpointActions } from "./delta-checkpoint-reader.js";
import {
  type CheckpointFiles,
  type DeltaLogListing,
  deltaLogPrefix,
  listDeltaLog,
} from "./delta-log-listing.js";
import { DeltaLogState } from "./delta-log-state.js";
import { DeltaProtocolError } from "./delta-protocol-error.js";
import type { DeltaSnapshot } from "./delta-snapshot.js";
import { snapshotOfState } from "./delta-state-snapshot.js";
import { DeltaTableNotFoundError } from "./delta-table-not-found-error.js";
import { DeltaUnsupportedFeatureError } from "./delta-unsupported-feature-error.js";
import type { DuckDbSession } from "./duckdb-session.js";
import { readCommitsInOrder } from "./read-commits-in-order.js";
import { commitTimestamp, resolveCommitTimestamps } from "./resolve-commit-timestamps.js";

/** Where a table lives and how to read its checkpoints. */
export interface DeltaLogContext {
  store: ObjectStore;
  location: string;
  session: () => Promise<DuckDbSession>;
}

/** Which version to load. */
export interface LoadVersion {
  version?: number | undefined;
  timestamp?: Date | undefined;
  signal?: AbortSignal | undefined;
}

/** A loaded snapshot with the replay state the writer needs (tombstones, raw adds). */
export interface LoadedDeltaState {
  snapshot: DeltaSnapshot;
  state: DeltaLogState;
  /** The listing the version was found in (absent when it came from a cache). */
  listing?: DeltaLogListing | undefined;
}

/**
 * Loads a table version: lists `_delta_log/`, picks the newest complete checkpoint at
 * or before the version (`_last_checkpoint` first; when it is missing, corrupt or
 * points at files that are not there, the listing decides; an unreadable checkpoint
 * falls back to an older one or to the JSON commits), replays the JSON commits after
 * it, and checks the protocol.
 *
 * @example
 * ```ts
 * const { snapshot } = await loadDeltaState({ store, location: "t", session }, { version: 3 });
 * ```
 */
export async function loadDeltaState(
  context: DeltaLogContext,
  options: LoadVersion = {},
): Promise<LoadedDeltaState> {
  const { store, location } = context;
  const signal = options.signal;
  // A version by timestamp needs every commit's time: that takes the whole log.
  if (options.timestamp === undefined) {
    const fromCheckpoint = await loadFromLastCheckpoint(context, options.version, signal);
    if (fromCheckpoint !== undefined) return fromCheckpoint;
  }
  const listing = await listDeltaLog(store, location, signal);
  if (listing.latestVersion < 0) throw new DeltaTableNotFoundError(location);

  let target = options.version ?? listing.latestVersion;
  if (options.timestamp !== undefined) {
    target = await versionAtTimestamp(context, listing, options.timestamp, signal);
  }
  if (!Number.isInteger(target) || target < 0 || target > listing.latestVersion) {
    throw new DeltaProtocolError(
      `version ${target} does not exist: the latest version is ${listing.latestVersion}`,
      { code: "DELTA_VERSION_NOT_FOUND" },
    );
  }

  // The whole listing is authoritative: a missing or corrupt `_last_checkpoint` (or
  // one naming files that are gone) changes nothing here. Newest checkpoint first.
  const candidates = listing.checkpoints.filter((checkpoint) => checkpoint.version <= target);
  if (
    candidates.length === 0 &&
    listing.v2Checkpoints.some((v) => v <= target) &&
    !listing.commits.has(0)
  ) {
    throw new DeltaUnsupportedFeatureError(
      "v2Checkpoint",
      "the table's state is in a V2 (UUID-named) checkpoint, which is not supported",
    );
  }
  const loaded = await replay(
    context,
    listing,
    target,
    [...candidates.reverse(), undefined],
    signal,
  );
  if ("error" in loaded) throw loaded.error;
  return loaded;
}

/**
 * The fast path: `_last_checkpoint` names a recent checkpoint, so list `_delta_log/`
 * from that version only (a store that can start a listing at a key then skips the
 * older commits without touching them) and replay from the newest complete checkpoint
 * found there. `undefined` whenever that does not settle it (no hint, an older version
 * asked for, no usable checkpoint at or after the hint, a gap or an unreadable
 * checkpoint): the caller then lists the whole log, which is authoritative. A stale
 * hint still works, as later checkpoints are in the listing.
 */
async function loadFromLastCheckpoint(
  context: DeltaLogContext,
  version: number | undefined,
  signal: AbortSignal | undefined,
): Promise<LoadedDeltaState | undefined> {
  const hint = await lastCheckpointVersion(context.store, context.location, signal);
  if (hint === undefined || hint === 0 || (version !== undefined && version < hint)) {
    return undefined;
  }
  const listing = await listDeltaLog(context.store, context.location, signal, hint);
  const target = version ?? listing.latestVersion;
  if (!Number.isInteger(target) || target < hint || target > listing.latestVersion) {
    return undefined;
  }
  const candidates = listing.checkpoints.filter((checkpoint) => checkpoint.version <= target);
  if (candidates.length === 0) return undefined;
  const loaded = await replay(context, listing, target, candidates.reverse(), signal);
  return "error" in loaded ? undefined : loaded;
}

/** The version `_last_checkpoint` names, or `undefined` when it is missing or unreadable. */
async function lastCheckpointVersion(
  store: ObjectStore,
  location: string,
  signal: AbortSignal | undefined,
): Promise<number | undefined> {
  const bytes = await store.get(`${deltaLogPrefix(location)}_last_checkpoint`, { signal });
  if (bytes === undefined) return undefined;
  try {
    const version = (JSON.parse(new TextDecoder().decode(bytes)) as { version?: unknown }).version;
    return typeof version === "number" && Number.isSafeInteger(version) && version >= 0
      ? version
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Replays `target` from the first of `attempts` that works: a checkpoint (newest
 * first) plus the JSON commits after it, or `undefined` for every commit from 0.
 * Returns the error that stopped the last attempt instead of throwing it, so that the
 * fast path can fall back; unsupported features throw at once (they are the table's).
 */
async function replay(
  context: DeltaLogContext,
  listing: DeltaLogListing,
  target: number,
  attempts: readonly (CheckpointFiles | undefined)[],
  signal: AbortSignal | undefined,
): Promise<LoadedDeltaState | { error: unknown }> {
  const { store, location } = context;
  let lastError: unknown;
  for (const checkpoint of attempts) {
    const start = checkpoint === undefined ? 0 : checkpoint.version + 1;
    const missing = firstMissing(listing, start, target);
    if (missing !== undefined) {
      if (checkpoint !== undefined) continue;
      return { error: lastError ?? gapError(listing, missing, target) };
    }
    let checkpointActions: DeltaAction[] = [];
    if (checkpoint !== undefined) {
      try {
        checkpointActions = await readCheckpointActions(
          store,
          checkpoint.keys,
          await context.session(),
          signal,
        );
      } catch (error) {
        // Unsupported features are a property of the table, not of one bad file.
        if (error instanceof DeltaUnsupportedFeatureError) throw error;
        lastError = new DeltaProtocolError(`cannot read checkpoint ${checkpoint.keys[0]}`, {
          cause: error,
        });
        continue;
      }
    }
    const state = new DeltaLogState();
    for (const action of checkpointActions) state.apply(action);
    let targetActions: DeltaAction[] | undefined;
    // Read a few ahead (one small object each), applied and checked in version order.
    let version = start;
    for await (const actions of readCommitsInOrder(
      store,
      commitKeys(listing, start, target),
      signal,
    )) {
      if (actions === undefined) return { error: gapError(listing, version, target) };
      for (const action of actions) state.apply(action);
      targetActions = actions;
      version++;
    }
    // The target's commit was just read, unless the checkpoint is the target itself.
    const timestamp =
      targetActions !== undefined
        ? commitTimestamp(listing.commits.get(target), targetActions)
        : (await resolveCommitTimestamps(store, listing, signal, target, target)).get(target)
            ?.timestamp;
    return {
      snapshot: snapshotOfState(state, {
        version: target,
        timestamp,
        checkpointVersion: checkpoint?.version,
        store,
        location,
      }),
      state,
      listing,
    };
  }
  return { error: lastError ?? gapError(listing, 0, target) };
}

/** The keys of the commits `from`..`to` (undefined where the listing has none). */
export function commitKeys(
  listing: DeltaLogListing,
  from: number,
  to: number,
): (string | undefined)[] {
  const keys: (string | undefined)[] = [];
  for (let version = from; version <= to; version++) keys.push(listing.commits.get(version)?.key);
  return keys;
}

function firstMissing(listing: DeltaLogListing, from: number, to: number): number | undefined {
  for (let version = from; version <= to; version++) {
    if (!listing.commits.has(version)) return version;
  }
  return undefined;
}

function gapError(listing: DeltaLogListing, missing: number, target: number): DeltaProtocolError {
  const later = [...listing.commits.keys()].some((v) => v > missing && v <= target);
  return later
    ? new DeltaProtocolError(
        `the log's versions are not contiguous: commit ${missing} is missing before version ${target}`,
        { code: "DELTA_VERSIONS_NOT_CONTIGUOUS" },
      )
    : new DeltaProtocolError(
        `version ${target} cannot be reconstructed: commit ${missing} is missing and no checkpoint covers it`,
        { code: "DELTA_VERSION_NOT_FOUND" },
      );
}

async function versionAtTimestamp(
  context: DeltaLogContext,
  listing: DeltaLogListing,
  timestamp: Date,
  signal: AbortSignal | undefined,
): Promise<number> {
  const timestamps = await resolveCommitTimestamps(context.store, listing, signal);
  let found: number | undefined;
  for (const [version, committed] of [...timestamps.entries()].sort((a, b) => a[0] - b[0])) {
    if (committed.timestamp.getTime() <= timestamp.getTime()) found = version;
  }
  if (found === undefined) {
    throw new DeltaProtocolError(
      `no version was committed at or before ${timestamp.toISOString()}`,
      { code: "DELTA_VERSION_NOT_FOUND" },
    );
  }
  return found;
}
