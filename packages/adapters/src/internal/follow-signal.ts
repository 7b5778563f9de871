import { setMaxListeners } from "node:events";

/** A signal of one's own that follows another; see {@link followSignal}. */
export interface FollowingSignal {
  /** Aborts when the followed signal does, with its reason. */
  signal: AbortSignal;
  /** Removes the one listener on the followed signal; call it when the work is over. */
  release(): void;
}

/**
 * A signal for many concurrent calls that puts one listener on the caller's `signal`
 * (however many the calls put on their own), with room for `maxListeners`: a caller's
 * signal may already carry listeners of its own, and Node warns past ten on one signal.
 *
 * @example
 * ```ts
 * const reads = followSignal(signal, 32);
 * try { await Promise.all(keys.map((key) => store.get(key, { signal: reads.signal }))); }
 * finally { reads.release(); }
 * ```
 */
export function followSignal(
  signal: AbortSignal | undefined,
  maxListeners: number,
): FollowingSignal {
  const own = new AbortController();
  setMaxListeners(maxListeners, own.signal);
  const follow = () => own.abort(signal?.reason);
  if (signal?.aborted) follow();
  else signal?.addEventListener("abort", follow, { once: true });
  return { signal: own.signal, release: () => signal?.removeEventListener("abort", follow) };
}
