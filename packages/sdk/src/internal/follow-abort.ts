/** The controllers following each caller's signal; one abort listener per signal. */
const followers = new WeakMap<AbortSignal, Set<AbortController>>();

/**
 * Aborts `controller` (with the signal's reason) when `signal` aborts, until the
 * returned function is called. Many calls in flight often share one signal (a worker's
 * shutdown signal, a page's): they share one listener on it, rather than one each,
 * which would also trip Node's "possible EventTarget memory leak" warning at 11.
 */
export function followAbort(signal: AbortSignal, controller: AbortController): () => void {
  if (signal.aborted) {
    controller.abort(signal.reason);
    return () => undefined;
  }
  let set = followers.get(signal);
  if (!set) {
    const created = new Set<AbortController>();
    set = created;
    followers.set(signal, created);
    signal.addEventListener(
      "abort",
      () => {
        followers.delete(signal);
        for (const follower of created) follower.abort(signal.reason);
      },
      { once: true },
    );
  }
  set.add(controller);
  const followed = set;
  return () => {
    followed.delete(controller);
  };
}
