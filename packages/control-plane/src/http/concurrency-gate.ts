/**
 * Counts work in progress against a fixed limit. `tryAcquire` never waits: it returns a
 * release function, or `undefined` when the limit is reached, so the caller can shed
 * load with a 503 at once instead of queueing behind a slow database.
 *
 * @example
 * ```ts
 * const gate = new ConcurrencyGate(256);
 * const release = gate.tryAcquire();
 * if (!release) return problemResponse("unavailable", "busy", { retryAfterSeconds: 1 });
 * try { ... } finally { release(); }
 * ```
 */
export class ConcurrencyGate {
  readonly limit: number;
  #active = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** How many holders there are now. */
  get active(): number {
    return this.#active;
  }

  /** Takes a slot; the returned function gives it back (calling it twice is harmless). */
  tryAcquire(): (() => void) | undefined {
    if (this.#active >= this.limit) return undefined;
    this.#active += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active -= 1;
    };
  }
}
