import type { ObjectStore } from "@controlroom/executor-kit";
import type { DeltaAction } from "./delta-actions.js";
import { readCommitActions } from "./read-commit-actions.js";

// Reads in flight at once, the one being handed over included: enough to hide a
// store's latency behind the replay, few enough for one AbortSignal's listeners.
const READ_AHEAD = 4;

/**
 * The actions of the JSON commits `keys` (one per version, in version order), read a
 * few ahead of the one the caller is applying but handed over strictly in order:
 * `undefined` where the key is `undefined` or the commit does not exist, and a failed
 * read (an unparsable commit, the signal) thrown when its turn comes, so the caller
 * meets the first bad version first, exactly as reading one by one would. Reads
 * started past a version the caller stops at are left to finish unobserved; their
 * failures are not reported.
 *
 * @example
 * ```ts
 * for await (const actions of readCommitsInOrder(store, ["t/_delta_log/00000000000000000001.json"])) {
 *   if (actions === undefined) break; // a gap
 * }
 * ```
 */
export async function* readCommitsInOrder(
  store: ObjectStore,
  keys: readonly (string | undefined)[],
  signal?: AbortSignal,
  limit = READ_AHEAD,
): AsyncGenerator<DeltaAction[] | undefined> {
  const pending: Promise<DeltaAction[] | undefined>[] = [];
  let next = 0;
  while (next < keys.length || pending.length > 0) {
    while (next < keys.length && pending.length < Math.max(1, limit)) {
      const key = keys[next++];
      const read =
        key === undefined ? Promise.resolve(undefined) : readCommitActions(store, key, signal);
      // Awaited below in its turn; this only keeps a read the caller never reaches (it
      // stopped at an earlier gap) from becoming an unhandled rejection.
      read.catch(() => undefined);
      pending.push(read);
    }
    yield await (pending.shift() as Promise<DeltaAction[] | undefined>);
  }
}
