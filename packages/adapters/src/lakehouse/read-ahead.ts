import { followSignal } from "../internal/follow-signal.js";

// Loads at once. Each may hold a few listeners on the signal (a store call, a checkpoint's
// file copies), so two lanes stay well under the limit set below.
const LANES = 2;
const MAX_LISTENERS = 32;

/** Work started ahead of need, by key; see {@link readAhead}. */
export interface ReadAhead {
  /** Settles when the load of `key` has (never rejects); at once for a key not read ahead. */
  ready(key: string): Promise<void>;
  /** Settles when every load has; then the signal link is released. */
  settled(): Promise<void>;
}

/**
 * Starts `load` for each key in the background, a few at a time in the keys' order, so
 * that later work finds what it needs already loaded (the loads fill a cache; their
 * results and failures are not kept: the work that needs a key loads it again and
 * meets any failure itself). The loads get a signal of their own that follows
 * `signal`, so however many there are they add one listener to the caller's signal,
 * whose other users (a session's view registration) count against Node's warning
 * threshold.
 *
 * @example
 * ```ts
 * const ahead = readAhead(["gold/a", "gold/b"], (key, signal) => tables.snapshot({ location: key }, { signal }), signal);
 * await ahead.ready("gold/a");
 * ```
 */
export function readAhead(
  keys: readonly string[],
  load: (key: string, signal: AbortSignal) => Promise<unknown>,
  signal: AbortSignal | undefined,
): ReadAhead {
  const unique = [...new Set(keys)];
  if (unique.length === 0) {
    return { ready: () => Promise.resolve(), settled: () => Promise.resolve() };
  }
  const own = followSignal(signal, MAX_LISTENERS);
  const lanes: Promise<void>[] = Array.from({ length: LANES }, () => Promise.resolve());
  const loads = new Map<string, Promise<void>>();
  unique.forEach((key, index) => {
    const lane = index % LANES;
    const loaded = (lanes[lane] as Promise<void>).then(() =>
      load(key, own.signal).then(
        () => undefined,
        () => undefined,
      ),
    );
    lanes[lane] = loaded;
    loads.set(key, loaded);
  });
  const all = Promise.all(lanes).then(() => own.release());
  return {
    ready: (key) => loads.get(key) ?? Promise.resolve(),
    settled: () => all,
  };
}
