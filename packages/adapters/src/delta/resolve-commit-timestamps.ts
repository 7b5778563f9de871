import type { ObjectInfo, ObjectStore } from "@controlroom/executor-kit";
import type { CommitInfoAction, DeltaAction } from "./delta-actions.js";
import type { DeltaLogListing } from "./delta-log-listing.js";
import { readCommitActions } from "./read-commit-actions.js";

/** A commit's time and its `commitInfo`, as {@link resolveCommitTimestamps} reads them. */
export interface CommitTime {
  timestamp: Date;
  commitInfo: CommitInfoAction | undefined;
}

/**
 * The commit timestamps of the JSON commits in `[from, to]`, by version: a commit's
 * `inCommitTimestamp` when the writer recorded one (the in-commit-timestamps
 * feature), else its file's modification time (the protocol's definition), else its
 * `commitInfo.timestamp`. File times are nudged forward to stay strictly increasing,
 * as Delta does, because clocks and copies can reorder them.
 *
 * @example
 * ```ts
 * const times = await resolveCommitTimestamps(store, listing);
 * times.get(3)?.timestamp;
 * ```
 */
export async function resolveCommitTimestamps(
  store: ObjectStore,
  listing: DeltaLogListing,
  signal?: AbortSignal,
  from = 0,
  to = Number.MAX_SAFE_INTEGER,
): Promise<Map<number, CommitTime>> {
  const versions = [...listing.commits.keys()]
    .filter((version) => version >= from && version <= to)
    .sort((a, b) => a - b);
  const infos = await Promise.all(
    versions.map(async (version) => {
      const info = listing.commits.get(version);
      const actions =
        info === undefined ? undefined : await readCommitActions(store, info.key, signal);
      const commitInfo = actions?.find((action) => action.commitInfo != null)?.commitInfo;
      return { version, info, commitInfo };
    }),
  );
  const out = new Map<number, CommitTime>();
  let previous = Number.NEGATIVE_INFINITY;
  for (const { version, info, commitInfo } of infos) {
    let millis = inCommitMillis(commitInfo);
    if (millis === undefined) {
      millis = fileMillis(info, commitInfo);
      if (millis <= previous) millis = previous + 1;
    }
    previous = millis;
    out.set(version, { timestamp: new Date(millis), commitInfo });
  }
  return out;
}

/**
 * One commit's timestamp from its listing entry and its actions, by the rules of
 * {@link resolveCommitTimestamps} for a range of one version (nothing to nudge).
 *
 * @example
 * ```ts
 * const time = commitTimestamp(listing.commits.get(3), actions);
 * ```
 */
export function commitTimestamp(
  info: ObjectInfo | undefined,
  actions: readonly DeltaAction[],
): Date {
  const commitInfo = actions.find((action) => action.commitInfo != null)?.commitInfo;
  return new Date(inCommitMillis(commitInfo) ?? fileMillis(info, commitInfo));
}

function inCommitMillis(commitInfo: CommitInfoAction | undefined): number | undefined {
  const inCommit = Number(commitInfo?.inCommitTimestamp);
  return commitInfo?.inCommitTimestamp != null && Number.isFinite(inCommit) ? inCommit : undefined;
}

function fileMillis(
  info: ObjectInfo | undefined,
  commitInfo: CommitInfoAction | undefined,
): number {
  return info?.lastModified?.getTime() ?? Number(commitInfo?.timestamp ?? 0);
}
