/** What can follow a signal: an `AbortController`, or an attempt's `AttemptAbort`. */
export interface AbortFollower {
  abort(reason: unknown): void;
}

/** The followers of each caller's signal; one abort listener per signal. */
const followers = new WeakMap<AbortSignal, Set<AbortFollower>>();

/**
 * Aborts `follower` (with the signal's reason) when `signal` aborts, until the
 * returned function is called. Many calls in flight often share one signal (a worker's
 * shutdown signal, a page's): they share one listener on it, rather than one each,
 * which would also trip Node's "possible EventTarget memory leak" warning at 11.
 */
export function followAbort(signal: AbortSignal, follower: AbortFollower): () => void {
  if (signal.aborted) {
    follower.abort(signal.reason);
    return () => undefined;
  }
  let set = followers.get(signal);
  if (!set) {
    const created = new Set<AbortFollower>();
    set = created;
    followers.set(signal, created);
    signal.addEventListener(
      "abort",
      () => {
        followers.delete(signal);
        for (const each of created) each.abort(signal.reason);
      },
      { once: true },
    );
  }
  set.add(follower);
  const followed = set;
  return () => {
    followed.delete(follower);
  };
}
