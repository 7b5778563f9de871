/**
 * Entry point of a benchmark child process: `child-main.ts <task> <json args>`. Prints
 * `BENCH_READY <json>` when a long-running task (a server) is ready, and
 * `BENCH_RESULT <json>` with the task's return value; a long-running task ends on SIGTERM.
 */

/** What a task gets besides its arguments. */
export interface TaskIo {
  /** Tells the parent the task is ready (e.g. a server's URL). */
  ready(info: unknown): void;
  /** Resolves on SIGTERM: long-running tasks stop then. */
  stopped: Promise<void>;
}

type Task = (args: never, io: TaskIo) => Promise<unknown>;

/** Tasks by name, loaded lazily so a child only loads what it runs. */
const TASKS: Record<string, () => Promise<Task>> = {
  "serve-control-plane": async () =>
    (await import("./control-room/serve-control-plane.js")).serveControlPlane,
  "throughput-controlroom": async () =>
    (await import("./throughput/controlroom-throughput.js")).controlroomThroughput,
  "throughput-graphile-worker": async () =>
    (await import("./throughput/graphile-worker-throughput.js")).graphileWorkerThroughput,
  "throughput-pg-boss": async () =>
    (await import("./throughput/pg-boss-throughput.js")).pgBossThroughput,
  "latency-controlroom": async () =>
    (await import("./latency/controlroom-latency.js")).controlroomLatency,
  "latency-graphile-worker": async () =>
    (await import("./latency/graphile-worker-latency.js")).graphileWorkerLatency,
  "delta-snapshot-ours": async () => (await import("./delta/delta-ours.js")).oursSnapshotLoad,
  "delta-append-ours": async () => (await import("./delta/delta-ours.js")).oursAppend,
  "gold-build-lake": async () => (await import("./gold/odoo-demo-lake.js")).ensureOdooDemoLake,
  "gold-framework": async () => (await import("./gold/gold-framework.js")).runGoldThroughFramework,
  "gold-plain": async () => (await import("./gold/gold-plain-duckdb.js")).runGoldInPlainDuckDb,
  "memory-ingest": async () => (await import("./memory/memory-child.js")).measureIngestMemory,
};

const [name, json] = process.argv.slice(2);
const load = name === undefined ? undefined : TASKS[name];
if (load === undefined) {
  process.stderr.write(`unknown bench task ${name}; known: ${Object.keys(TASKS).join(", ")}\n`);
  process.exit(2);
}
let onStop: () => void = () => undefined;
const stopped = new Promise<void>((resolve) => {
  onStop = resolve;
});
process.once("SIGTERM", () => onStop());
const io: TaskIo = {
  ready: (info) => process.stdout.write(`BENCH_READY ${JSON.stringify(info ?? null)}\n`),
  stopped,
};
try {
  const task = await load();
  const result = await task(JSON.parse(json ?? "null") as never, io);
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result ?? null)}\n`);
  // Drivers and pools may keep handles open; the result is out, so leave now.
  process.exit(0);
} catch (error) {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
}
