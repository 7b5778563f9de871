import type { ObjectInfo, ObjectStore, ObjectStoreListOptions } from "@controlroom/executor-kit";

/** A complete checkpoint: one classic file or every part of a multi-part one. */
export interface CheckpointFiles {
  version: number;
  kind: "classic" | "multi-part";
  keys: string[];
}

/** What `_delta_log/` holds, sorted out by file name. */
export interface DeltaLogListing {
  /** `_delta_log/` key prefix, e.g. `bronze/orders/_delta_log/`. */
  logPrefix: string;
  /** JSON commits by version. */
  commits: Map<number, ObjectInfo>;
  /** Complete classic and multi-part checkpoints, ascending by version. */
  checkpoints: CheckpointFiles[];
  /** Versions of UUID-named (V2) checkpoints, which this adapter cannot read. */
  v2Checkpoints: number[];
  /** The highest version any commit or checkpoint names; -1 when there is none. */
  latestVersion: number;
  /**
   * The first version listed: 0 for a whole log; more when the listing started at a
   * checkpoint (`fromVersion`), and then nothing older is in `commits` or `checkpoints`.
   */
  fromVersion: number;
}

const COMMIT = /^(\d{20})\.json$/;
const CLASSIC = /^(\d{20})\.checkpoint\.parquet$/;
const MULTI_PART = /^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$/;
const V2 = /^(\d{20})\.checkpoint\.[0-9a-fA-F-]{36}\.(json|parquet)$/;

/**
 * The key prefix of a table's log.
 *
 * @example
 * ```ts
 * deltaLogPrefix("bronze/orders"); // "bronze/orders/_delta_log/"
 * ```
 */
export function deltaLogPrefix(location: string): string {
  const root = location.replace(/\/+$/, "");
  return root === "" ? "_delta_log/" : `${root}/_delta_log/`;
}

/**
 * The key of commit `version` in a log.
 *
 * @example
 * ```ts
 * commitKey("_delta_log/", 7); // "_delta_log/00000000000000000007.json"
 * ```
 */
export function commitKey(logPrefix: string, version: number): string {
  return `${logPrefix}${pad(version)}.json`;
}

function pad(version: number): string {
  return String(version).padStart(20, "0");
}

/**
 * Lists `_delta_log/` once and sorts commits and checkpoints out by name. Multi-part
 * checkpoints count only when every part is there (a writer may have died half-way).
 * With `fromVersion`, only commits and checkpoints of that version and later: stores
 * that can start a listing at a key (S3's start-after, the local store) then skip the
 * older entries, others list them and they are dropped here.
 *
 * @example
 * ```ts
 * const listing = await listDeltaLog(store, "bronze/orders");
 * console.log(listing.latestVersion);
 * ```
 */
export async function listDeltaLog(
  store: ObjectStore,
  location: string,
  signal?: AbortSignal,
  fromVersion = 0,
): Promise<DeltaLogListing> {
  const logPrefix = deltaLogPrefix(location);
  const commits = new Map<number, ObjectInfo>();
  const classic = new Map<number, string>();
  const parts = new Map<string, { version: number; total: number; keys: Map<number, string> }>();
  const v2 = new Set<number>();
  // Every name of version `fromVersion` or later sorts after its bare 20 digits.
  const options: ObjectStoreListOptions =
    fromVersion > 0 ? { signal, startAfter: `${logPrefix}${pad(fromVersion)}` } : { signal };
  for await (const info of store.list(logPrefix, options)) {
    const name = info.key.slice(logPrefix.length);
    if (name.includes("/")) continue; // _sidecars/, _staged_commits/…
    let match = COMMIT.exec(name);
    if (match !== null) {
      if (Number(match[1]) >= fromVersion) commits.set(Number(match[1]), info);
      continue;
    }
    match = CLASSIC.exec(name);
    if (match !== null) {
      if (Number(match[1]) >= fromVersion) classic.set(Number(match[1]), info.key);
      continue;
    }
    match = MULTI_PART.exec(name);
    if (match !== null) {
      const version = Number(match[1]);
      if (version < fromVersion) continue;
      const total = Number(match[3]);
      const id = `${version}/${total}`;
      const set = parts.get(id) ?? { version, total, keys: new Map<number, string>() };
      set.keys.set(Number(match[2]), info.key);
      parts.set(id, set);
      continue;
    }
    match = V2.exec(name);
    if (match !== null && Number(match[1]) >= fromVersion) v2.add(Number(match[1]));
  }
  const checkpoints: CheckpointFiles[] = [];
  for (const [version, key] of classic) checkpoints.push({ version, kind: "classic", keys: [key] });
  for (const set of parts.values()) {
    if (set.keys.size !== set.total) continue;
    const keys = [...set.keys.entries()].sort((a, b) => a[0] - b[0]).map(([, key]) => key);
    checkpoints.push({ version: set.version, kind: "multi-part", keys });
  }
  // Prefer a classic checkpoint over a multi-part one of the same version (one file).
  checkpoints.sort((a, b) => a.version - b.version || (a.kind === "classic" ? 1 : -1));
  const versions = [...commits.keys(), ...checkpoints.map((c) => c.version), ...v2];
  return {
    logPrefix,
    commits,
    checkpoints,
    v2Checkpoints: [...v2].sort((a, b) => a - b),
    latestVersion: versions.length === 0 ? -1 : Math.max(...versions),
    fromVersion,
  };
}
