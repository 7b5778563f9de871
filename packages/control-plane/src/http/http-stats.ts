/** One row of {@link HttpStats.snapshot}. */
export interface HttpRequestCount {
  method: string;
  /** The endpoint's operation id (`createRun`, …), or `unmatched`; never the raw path. */
  route: string;
  status: number;
  count: number;
}

/**
 * Request counters for `/metrics`, kept in process (so per server, unlike the store's
 * numbers). Labelled by operation id rather than path so that ids in paths cannot blow
 * up the number of series.
 *
 * @example
 * ```ts
 * stats.record("POST", "claim", 204);
 * stats.snapshot(); // [{ method: "POST", route: "claim", status: 204, count: 1 }]
 * ```
 */
export class HttpStats {
  readonly #counts = new Map<string, HttpRequestCount>();

  /** Counts one answered request. */
  record(method: string, route: string, status: number): void {
    const key = `${method} ${route} ${status}`;
    const row = this.#counts.get(key);
    if (row) row.count += 1;
    else this.#counts.set(key, { method, route, status, count: 1 });
  }

  /** Every counter so far, sorted for a stable exposition. */
  snapshot(): HttpRequestCount[] {
    return [...this.#counts.values()]
      .map((row) => ({ ...row }))
      .sort(
        (a, b) =>
          a.route.localeCompare(b.route) || a.method.localeCompare(b.method) || a.status - b.status,
      );
  }
}
