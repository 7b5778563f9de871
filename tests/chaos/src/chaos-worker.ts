// A chaos worker process: serves the chaos executor until SIGTERM (or SIGKILL).
// Environment: CONTROLROOM_URL, CONTROLROOM_TOKEN (executor role), CHAOS_DIR (shared
// with the test: objects/ and side-effects/), CHAOS_WORKER_SLOT, CHAOS_CONCURRENCY.
import { join } from "node:path";
import { createLocalObjectStore } from "@controlroom/adapters/local";
import { runWorker } from "@controlroom/executor-kit";
import { ControlRoomClient } from "@controlroom/sdk";
import { chaosExecutor } from "./chaos-executor.js";
import { exitWithParent } from "./exit-with-parent.js";
import { requiredEnv } from "./required-env.js";
import { appendSideEffect } from "./side-effects.js";

exitWithParent();

const dir = requiredEnv("CHAOS_DIR");
// The pid makes it unique per (re)start; the slot lets the test find the process.
const executorId = `chaos-w${requiredEnv("CHAOS_WORKER_SLOT")}-${process.pid}`;
const sideEffectsFile = join(dir, "side-effects", `${executorId}.jsonl`);
const client = new ControlRoomClient({
  baseUrl: requiredEnv("CONTROLROOM_URL"),
  token: requiredEnv("CONTROLROOM_TOKEN"),
  timeoutMs: 15_000,
});
const store = createLocalObjectStore({ root: join(dir, "objects") });

const summary = await runWorker(chaosExecutor, {
  client,
  executorId,
  concurrency: Number(process.env.CHAOS_CONCURRENCY ?? 4),
  // The server's minimum: a killed worker's phases come back after 5 s.
  leaseSeconds: 5,
  claimWaitMs: 2_000,
  backoffInitialMs: 100,
  backoffMaxMs: 2_000,
  shutdownGraceMs: 5_000,
  eventFlushIntervalMs: 100,
  progressIntervalMs: 250,
  logLevel: "warn",
  artifactStore: store,
  adapters: {
    chaos: {
      executorId,
      recordSideEffect: (record) => appendSideEffect(sideEffectsFile, record),
    },
  },
});
process.stdout.write(`${JSON.stringify({ stopped: summary })}\n`);
