import type { ObjectInfo, ObjectStore } from "@controlroom/executor-kit";
import type { DeltaLogState } from "./delta-log-state.js";
import type { DeltaSnapshot } from "./delta-snapshot.js";

/** One cached table version. Shared by every reader: nothing in it may be changed. */
export interface CachedDeltaVersion {
  state: DeltaLogState;
  snapshot: DeltaSnapshot;
  /**
   * The version's JSON commit as the store listed it. Before a cached version is used
   * again, the commit must still be the same object: a table deleted and created anew
   * at the same location reuses version numbers.
   */
  commit: ObjectInfo;
}

/** Options of {@link DeltaSnapshotCache}. */
export interface DeltaSnapshotCacheOptions {
  /**
   * Evict the least recently used versions while the cached versions hold more live
   * files and tombstones than this, counted per version (versions of one table share
   * most of their actions, so this overstates the memory). A version larger than this
   * is not cached.
   * @default 100000
   */
  maxFiles?: number | undefined;
  /**
   * At most this many versions (of all tables) are kept.
   * @default 64
   */
  maxVersions?: number | undefined;
}

interface Entry {
  storeId: number;
  location: string;
  value: CachedDeltaVersion;
  weight: number;
}

/**
 * A bounded, least-recently-used cache of Delta table versions, keyed by store, table
 * location and version. A committed version never changes, so a reader that finds its
 * version here skips the log replay (and the DuckDB instance a Parquet checkpoint
 * needs); a reader of the latest version still lists the log for newer commits and
 * replays only those onto the newest cached version. Writers add the version they
 * commit, derived from the version they read plus their actions.
 *
 * One cache may serve several {@link DeltaTable} handles and table formats; it holds
 * no resources beyond memory.
 *
 * @example
 * ```ts
 * const cache = new DeltaSnapshotCache({ maxFiles: 50_000 });
 * const tables = createDeltaTableFormat({ store, snapshotCache: cache });
 * await tables.snapshot({ location: "gold/daily" }); // replays the log
 * await tables.snapshot({ location: "gold/daily" }); // lists the log, replays nothing
 * ```
 */
export class DeltaSnapshotCache {
  readonly #maxFiles: number;
  readonly #maxVersions: number;
  // Insertion order is recency order: a hit moves its entry to the end.
  readonly #entries = new Map<string, Entry>();
  readonly #storeIds = new WeakMap<ObjectStore, number>();
  #nextStoreId = 0;
  #weight = 0;

  constructor(options: DeltaSnapshotCacheOptions = {}) {
    this.#maxFiles = options.maxFiles ?? 100_000;
    this.#maxVersions = options.maxVersions ?? 64;
  }

  /** The cached `version` of a table, if any (not yet checked against the store). */
  get(store: ObjectStore, location: string, version: number): CachedDeltaVersion | undefined {
    const key = this.#key(store, location, version);
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** The newest cached version of a table at or before `atMost`, if any. */
  newest(store: ObjectStore, location: string, atMost: number): CachedDeltaVersion | undefined {
    const storeId = this.#storeIds.get(store);
    let found: CachedDeltaVersion | undefined;
    for (const entry of this.#entries.values()) {
      const version = entry.value.snapshot.version;
      if (entry.storeId !== storeId || entry.location !== location || version > atMost) continue;
      if (found === undefined || version > found.snapshot.version) found = entry.value;
    }
    // A peek: the version this one is replayed onto need not stay; the result is cached.
    return found;
  }

  /** Adds (or replaces) a version, evicting the least recently used ones beyond the bounds. */
  set(store: ObjectStore, location: string, value: CachedDeltaVersion): void {
    const weight = 1 + value.state.files.size + value.state.tombstones.size;
    const key = this.#key(store, location, value.snapshot.version);
    this.#remove(key);
    if (weight > this.#maxFiles || this.#maxVersions < 1) return;
    const storeId = this.#storeId(store);
    this.#entries.set(key, { storeId, location, value, weight });
    this.#weight += weight;
    for (const oldest of this.#entries.keys()) {
      if (this.#weight <= this.#maxFiles && this.#entries.size <= this.#maxVersions) break;
      this.#remove(oldest);
    }
  }

  /** Forgets every version of a table (its log no longer matches what was cached). */
  forget(store: ObjectStore, location: string): void {
    const storeId = this.#storeIds.get(store);
    for (const [key, entry] of this.#entries) {
      if (entry.storeId === storeId && entry.location === location) this.#remove(key);
    }
  }

  /** How many versions are cached. */
  get size(): number {
    return this.#entries.size;
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#weight -= entry.weight;
  }

  #key(store: ObjectStore, location: string, version: number): string {
    return `${this.#storeId(store)}\0${location}\0${version}`;
  }

  #storeId(store: ObjectStore): number {
    let id = this.#storeIds.get(store);
    if (id === undefined) {
      id = this.#nextStoreId++;
      this.#storeIds.set(store, id);
    }
    return id;
  }
}

/**
 * True when two descriptions of one object (from a listing or a `stat`) are of the
 * same write: the same size and etag; for stores without etags, the same size and
 * modification time. Etags win where there are some, because a listing and a `stat`
 * may give the time at different precisions (S3 listings in milliseconds, HEAD in
 * seconds). With neither, nothing tells a rewrite from the original: not the same.
 *
 * @example
 * ```ts
 * sameObject(cached.commit, await store.stat(cached.commit.key)); // false after a rewrite
 * ```
 */
export function sameObject(a: ObjectInfo | undefined, b: ObjectInfo | undefined): boolean {
  if (a === undefined || b === undefined || a.key !== b.key || a.size !== b.size) return false;
  if (a.etag !== undefined && b.etag !== undefined) return a.etag === b.etag;
  if (a.lastModified !== undefined && b.lastModified !== undefined) {
    return a.lastModified.getTime() === b.lastModified.getTime();
  }
  return false;
}
