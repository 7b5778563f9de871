/** The part of a DuckDB connection {@link interruptOnAbort} needs. */
export interface Interruptible {
  interrupt(): void;
}

// DuckDB clears a connection's interrupt flag when a query starts, so an interrupt
// that lands between two statements (or just before the first) would be lost; after
// an abort we keep interrupting until the call has settled.
const REPEAT_MS = 20;

/**
 * Interrupts `connection` when `signal` aborts, and keeps doing so every 20 ms until
 * the returned function is called (when the call has settled).
 *
 * @example
 * ```ts
 * const stop = interruptOnAbort(connection, signal);
 * try { await connection.run(sql); } finally { stop(); }
 * ```
 */
export function interruptOnAbort(
  connection: Interruptible,
  signal: AbortSignal | undefined,
): () => void {
  if (signal === undefined) return () => {};
  let timer: ReturnType<typeof setInterval> | undefined;
  const onAbort = () => {
    connection.interrupt();
    timer = setInterval(() => connection.interrupt(), REPEAT_MS);
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  return () => {
    signal.removeEventListener("abort", onAbort);
    if (timer !== undefined) clearInterval(timer);
  };
}
