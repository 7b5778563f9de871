/**
 * Runs `work` over `items` with at most `limit` calls at once; results in the items'
 * order. Every call settles before this returns: on failure it rejects with the first
 * failure in the items' order (as one by one would), and no call is left running
 * unobserved (what the others made may need releasing by the caller). Use it where
 * unbounded concurrency would pile requests onto a store or listeners onto one
 * AbortSignal.
 *
 * @example
 * ```ts
 * const snapshots = await mapWithLimit(tables, 4, (table) => loadSnapshot(table));
 * ```
 */
export async function mapWithLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
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
  return results.map((result) => {
    if (result.status === "rejected") throw result.reason;
    return result.value;
  });
}
