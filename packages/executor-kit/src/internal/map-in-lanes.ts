/**
 * Runs `work` over `items` with at most `lanes` calls at once, each lane taking the next
 * item in order when it is free; resolves with the results in the items' order.
 *
 * The first failure stops the rest: no lane takes another item, the calls still running
 * see the `signal` they were given abort, and the promise rejects with that first
 * failure only once every call has settled, so that nothing the caller owns (a session,
 * an engine) is still in use when it hears of it. `signal` aborting stops them alike.
 *
 * @example
 * ```ts
 * const sizes = await mapInLanes(paths, 2, ctx.signal, (path, signal) => statSize(path, signal));
 * ```
 */
export async function mapInLanes<T, R>(
  items: readonly T[],
  lanes: number,
  signal: AbortSignal | undefined,
  work: (item: T, signal: AbortSignal, index: number) => Promise<R>,
): Promise<R[]> {
  const stop = new AbortController();
  const laneSignal = signal === undefined ? stop.signal : AbortSignal.any([signal, stop.signal]);
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (failure === undefined && !laneSignal.aborted && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T, laneSignal, index);
      } catch (error) {
        // Only the first failure is reported: the others are the abort it caused.
        failure ??= { error };
        stop.abort(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, items.length)) }, lane));
  if (failure !== undefined) throw failure.error;
  // Aborted between items, with nothing failing: report the abort as a call would.
  signal?.throwIfAborted();
  return results;
}
