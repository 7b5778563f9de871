import { setTimeout as sleep } from "node:timers/promises";

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** How long to keep probing before giving up. */
  timeoutMs: number;
  /** @default 250 */
  intervalMs?: number;
}

/**
 * Probes until `probe` returns something other than `undefined` or `false`, and returns
 * it. Conditions, not sleeps: the chaos test never assumes how long anything takes,
 * only that it happens before a generous deadline. Probe errors are retried too (the
 * database connection may be being cut); the last one is reported on timeout.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  options: WaitForOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError === undefined ? "" : ` (last error: ${String(lastError)})`;
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${cause}`);
    }
    await sleep(options.intervalMs ?? 250);
  }
}
