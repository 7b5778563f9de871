/**
 * Runs `work` over `items` with at most `limit` calls at once and waits for every call
 * to settle; results in the items' order, as `Promise.allSettled` gives them. Use it
 * where a failure must not leave other calls running unobserved (their results may
 * need releasing) and unbounded concurrency would pile listeners onto one AbortSignal.
 *
 * @example
 * ```ts
 * const results = await settleWithLimit(tables, 4, (table) => loadSnapshot(table));
 * ```
 */
export async function settleWithLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { status: "fulfilled", value: await work(items[index] as T) };
      } catch (reason) {
        results[index] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
