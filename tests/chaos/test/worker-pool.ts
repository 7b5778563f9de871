import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ChaosProcess } from "./chaos-process.js";

/** Options of {@link WorkerPool}. */
export interface WorkerPoolOptions {
  /** Worker processes kept running (slots 1…count). */
  count: number;
  /** Each worker's environment (besides CHAOS_WORKER_SLOT). */
  env: Record<string, string>;
  /** Each slot appends its processes' output to `worker-<slot>.log` here. */
  logDir: string;
}

/**
 * A fixed number of chaos worker processes, one per slot. A killed worker is restarted
 * in its slot after a delay; its restart has a new pid and so a new executor id
 * (`chaos-w<slot>-<pid>`).
 */
export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #slots = new Map<number, ChaosProcess>();
  readonly #restarts = new Set<Promise<void>>();
  #stopping = false;
  /** Processes started, first starts included. */
  starts = 0;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
  }

  /** Starts a worker in every slot. */
  startAll(): void {
    for (let slot = 1; slot <= this.#options.count; slot++) this.#start(slot);
  }

  /** The slots whose worker is running. */
  runningSlots(): number[] {
    return [...this.#slots].filter(([, worker]) => worker.running).map(([slot]) => slot);
  }

  /** The slot of a running worker with this executor id, if any. */
  slotOfExecutor(executorId: string): number | undefined {
    const match = /^chaos-w(\d+)-(\d+)$/.exec(executorId);
    if (!match) return undefined;
    const slot = Number(match[1]);
    const worker = this.#slots.get(slot);
    return worker?.running && worker.pid === Number(match[2]) ? slot : undefined;
  }

  /**
   * SIGKILLs the slot's worker and restarts it after `restartDelayMs` (in the
   * background). Resolves once the killed process is gone; false if it was not running.
   */
  async kill(slot: number, restartDelayMs: number): Promise<boolean> {
    const worker = this.#slots.get(slot);
    if (!worker?.kill("SIGKILL")) return false;
    await worker.exited;
    const restart = sleep(restartDelayMs).then(() => {
      if (!this.#stopping) this.#start(slot);
    });
    this.#restarts.add(restart);
    void restart.finally(() => this.#restarts.delete(restart));
    return true;
  }

  /** Stops restarting, then SIGTERMs every worker (SIGKILL after `graceMs`). */
  async stopAll(graceMs: number): Promise<void> {
    this.#stopping = true;
    await Promise.all([...this.#restarts]);
    await Promise.all([...this.#slots.values()].map((worker) => worker.stop(graceMs)));
  }

  #start(slot: number): void {
    this.starts++;
    this.#slots.set(
      slot,
      ChaosProcess.start({
        name: `worker ${slot}`,
        script: "src/chaos-worker.ts",
        env: { ...this.#options.env, CHAOS_WORKER_SLOT: String(slot) },
        logFile: join(this.#options.logDir, `worker-${slot}.log`),
      }),
    );
  }
}
