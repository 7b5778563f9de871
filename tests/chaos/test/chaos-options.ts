/** How big and how violent a chaos run is; read from the environment. */
export interface ChaosOptions {
  /** Runs of four phases each. `CHAOS_RUNS`, @default 30 */
  runs: number;
  /** Worker processes. `CHAOS_WORKERS`, @default 3 */
  workers: number;
  /** Phases each worker runs at once. `CHAOS_CONCURRENCY`, @default 4 */
  concurrency: number;
  /** Seed of the kill schedule and run pacing. `CHAOS_SEED`, @default random */
  seed: number;
  /** On average one kill per this many succeeded phases. `CHAOS_KILL_EVERY`, @default 4 */
  killEvery: number;
  /** A due kill lands after a random pause in this range, in milliseconds. @default 0–1500 */
  killDelayMs: readonly [number, number];
  /** How long a killed worker stays dead, in milliseconds. @default 0–1500 */
  restartDelayMs: readonly [number, number];
  /** Pause between two run creations, in milliseconds. @default 0–150 */
  createIntervalMs: readonly [number, number];
  /** The chance an attempt fails on its own (a retryable error). `CHAOS_FAIL_RATE`, @default 0.05 */
  failRate: number;
  /** How long all runs may take to end before the test gives up. @default 10 min + 3 s per run */
  deadlineMs: number;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer`);
  }
  return value;
}

/** The chaos options from `env`, with the CI size as the default. */
export function chaosOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ChaosOptions {
  const runs = positiveInt(env, "CHAOS_RUNS", 30);
  const failRate = env.CHAOS_FAIL_RATE ? Number(env.CHAOS_FAIL_RATE) : 0.05;
  if (!(failRate >= 0 && failRate < 1)) throw new RangeError("CHAOS_FAIL_RATE must be in [0, 1)");
  return {
    runs,
    workers: positiveInt(env, "CHAOS_WORKERS", 3),
    concurrency: positiveInt(env, "CHAOS_CONCURRENCY", 4),
    seed: env.CHAOS_SEED ? Number(env.CHAOS_SEED) >>> 0 : Math.floor(Math.random() * 2 ** 32),
    killEvery: positiveInt(env, "CHAOS_KILL_EVERY", 4),
    killDelayMs: [0, 1_500],
    restartDelayMs: [0, 1_500],
    createIntervalMs: [0, 150],
    failRate,
    deadlineMs: 10 * 60_000 + runs * 3_000,
  };
}
