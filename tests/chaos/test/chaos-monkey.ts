import { setTimeout as sleep } from "node:timers/promises";
import type { SeededRandom } from "./seeded-random.js";
import type { WorkerPool } from "./worker-pool.js";

/** Options of {@link ChaosMonkey}. */
export interface ChaosMonkeyOptions {
  pool: WorkerPool;
  random: SeededRandom;
  /** On average one kill per this many succeeded phases (uniform in 1 … 2n − 1). */
  killEvery: number;
  /** Once a kill is due, it lands after a random pause in this range (milliseconds). */
  killDelayMs: readonly [number, number];
  /** How long a killed worker stays down, min and max in milliseconds. */
  restartDelayMs: readonly [number, number];
  /** How many phases have succeeded so far (read from the database). */
  progress: () => Promise<number>;
  /** Executor ids that hold a live lease right now (read from the database). */
  leaseHolders: () => Promise<string[]>;
}

/**
 * SIGKILLs workers at random moments until stopped. Kills are paced by progress, not by
 * the clock: one is due every `killEvery` succeeded phases on average, so a slow machine
 * gets the same chaos per phase as a fast one and work always moves on between kills.
 * Every other kill aims at a worker that holds a lease at that moment, so kills land
 * mid-phase (between claim, events, artifact, side effect and complete) rather than
 * only on idle workers.
 */
export class ChaosMonkey {
  readonly #options: ChaosMonkeyOptions;
  readonly #stop = new AbortController();
  #loop: Promise<void> | undefined;
  /** SIGKILLs sent. */
  kills = 0;
  /** Kills aimed at a worker that held a lease when it was picked. */
  aimedKills = 0;

  constructor(options: ChaosMonkeyOptions) {
    this.#options = options;
  }

  start(): void {
    this.#loop ??= this.#run().catch(() => undefined);
  }

  /** Stops killing; resolves when the last kill has landed. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  #gap(): number {
    return this.#options.random.between(1, 2 * this.#options.killEvery - 1);
  }

  async #run(): Promise<void> {
    const { signal } = this.#stop;
    let dueAt = this.#gap();
    while (!signal.aborted) {
      await sleep(250, undefined, { signal });
      const done = await this.#options.progress().catch(() => undefined);
      if (done === undefined || done < dueAt) continue;
      dueAt = done + this.#gap();
      await sleep(this.#options.random.between(...this.#options.killDelayMs), undefined, {
        signal,
      });
      await this.#killOne();
    }
  }

  async #killOne(): Promise<void> {
    const { pool, random } = this.#options;
    let slot: number | undefined;
    let aimed = false;
    if (random.next() < 0.5) {
      const holders = await this.#options.leaseHolders().catch(() => [] as string[]);
      const slots = holders
        .map((id) => pool.slotOfExecutor(id))
        .filter((s): s is number => s !== undefined);
      if (slots.length > 0) {
        slot = random.pick(slots);
        aimed = true;
      }
    }
    if (slot === undefined) {
      const running = pool.runningSlots();
      if (running.length === 0) return;
      slot = random.pick(running);
    }
    if (await pool.kill(slot, random.between(...this.#options.restartDelayMs))) {
      this.kills++;
      if (aimed) this.aimedKills++;
    }
  }
}
