/** Per-job timings of a latency measurement, in milliseconds. */
export interface LatencyResult {
  /** From just before the enqueue call to the job's function starting. */
  enqueueToStart: number[];
  /** How long the enqueue call itself took (create run / add_job round trip). */
  enqueueCall: number[];
  /** Where the time went, step by step (ms per job), when the contender can tell. */
  breakdown?: Record<string, number[]>;
}

/** A promise per key, resolved by whoever sees the key first. */
export class Arrivals {
  readonly #seen = new Map<string, number>();
  readonly #waiting = new Map<string, (at: number) => void>();

  /** Records that `key` arrived now. */
  arrive(key: string): void {
    const at = performance.now();
    const waiter = this.#waiting.get(key);
    if (waiter) {
      this.#waiting.delete(key);
      waiter(at);
    } else this.#seen.set(key, at);
  }

  /** When `key` arrived (waits for it, up to `timeoutMs`). */
  when(key: string, timeoutMs = 30_000): Promise<number> {
    const at = this.#seen.get(key);
    if (at !== undefined) {
      this.#seen.delete(key);
      return Promise.resolve(at);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(key);
        reject(new Error(`${key} did not arrive within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiting.set(key, (value) => {
        clearTimeout(timer);
        resolve(value);
      });
    });
  }
}

/** A pause between jobs, so each one meets an idle system (a worker parked in its wait). */
export function idlePause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 10));
}
