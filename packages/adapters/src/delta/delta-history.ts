import type { CommitProvenance, ObjectStore, TableHistoryEntry } from "@controlroom/executor-kit";
import type { CommitInfoAction } from "./delta-actions.js";
import { listDeltaLog } from "./delta-log-listing.js";
import { DeltaTableNotFoundError } from "./delta-table-not-found-error.js";
import { resolveCommitTimestamps } from "./resolve-commit-timestamps.js";

/** One commit of a Delta table's history, with its full `commitInfo`. */
export interface DeltaHistoryEntry extends TableHistoryEntry {
  /** The commit's `commitInfo` action as written, when it has one. */
  commitInfo?: CommitInfoAction | undefined;
}

/**
 * The table's commits, newest first: version, commit timestamp, operation and the
 * provenance (`run_id`, `phase`, `git_sha`) the writer recorded. Versions whose JSON
 * commit was cleaned up (only a checkpoint remains) are not listed.
 *
 * @example
 * ```ts
 * const [latest] = await readDeltaHistory(store, "t", { limit: 1 });
 * console.log(latest?.version, latest?.provenance?.run_id);
 * ```
 */
export async function readDeltaHistory(
  store: ObjectStore,
  location: string,
  options: { limit?: number | undefined; signal?: AbortSignal | undefined } = {},
): Promise<DeltaHistoryEntry[]> {
  const listing = await listDeltaLog(store, location, options.signal);
  if (listing.latestVersion < 0) throw new DeltaTableNotFoundError(location);
  const versions = [...listing.commits.keys()].sort((a, b) => b - a);
  const limit = options.limit ?? versions.length;
  const from = versions[Math.min(limit, versions.length) - 1] ?? 0;
  // Timestamps are nudged to increase across versions, so read from the oldest commit.
  const times = await resolveCommitTimestamps(store, listing, options.signal);
  const entries: DeltaHistoryEntry[] = [];
  for (const version of versions) {
    if (version < from || entries.length >= limit) break;
    const time = times.get(version);
    if (time === undefined) continue;
    const info = time.commitInfo;
    const entry: DeltaHistoryEntry = {
      version,
      timestamp: time.timestamp,
      operation: typeof info?.operation === "string" ? info.operation : "UNKNOWN",
    };
    if (info !== undefined) entry.commitInfo = info;
    const provenance = provenanceOf(info);
    if (provenance !== undefined) entry.provenance = provenance;
    entries.push(entry);
  }
  return entries;
}

// commitInfo fields the Delta protocol or its writers define; the rest is provenance.
const DELTA_COMMIT_INFO_FIELDS = new Set([
  "timestamp",
  "inCommitTimestamp",
  "operation",
  "operationParameters",
  "operationMetrics",
  "readVersion",
  "isolationLevel",
  "isBlindAppend",
  "engineInfo",
  "clientVersion",
  "txnId",
  "userId",
  "userName",
  "job",
  "notebook",
  "clusterId",
  "userMetadata",
  "tags",
]);

// Every field the writer added (run_id, phase, git_sha, attempt and its own, such as a
// source cursor) comes back, so that a later run can pick up where this commit left off.
function provenanceOf(info: CommitInfoAction | undefined): CommitProvenance | undefined {
  if (info === undefined) return undefined;
  const { run_id, phase, git_sha } = info;
  if (typeof run_id !== "string" || typeof phase !== "string" || typeof git_sha !== "string") {
    return undefined;
  }
  const provenance: CommitProvenance = { run_id, phase, git_sha };
  for (const [key, value] of Object.entries(info)) {
    if (!DELTA_COMMIT_INFO_FIELDS.has(key) && !(key in provenance)) provenance[key] = value;
  }
  return provenance;
}
