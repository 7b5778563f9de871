import type { Event, PhaseSpecInput, Run } from "@controlroom/contract";
import type { ControlRoomClient } from "@controlroom/sdk";
import { pino } from "pino";
import { afterAll, beforeAll } from "vitest";
import type { ExecutorDefinition } from "../../src/definition/define-executor.js";
import {
  startTestControlPlane,
  type TestControlPlane,
} from "../../src/testing/start-test-control-plane.js";
import { runWorker } from "../../src/worker/run-worker.js";
import type { RunWorkerOptions } from "../../src/worker/run-worker-options.js";
import type { WorkerSummary } from "../../src/worker/worker-summary.js";

export const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

/** A capability only this test's phases require, so workers of other tests never claim them. */
export function uniqueCapability(): string {
  return `t-${crypto.randomUUID().slice(0, 12)}`;
}

/** Creates a dev run of `phases`. */
export async function createRun(client: ControlRoomClient, phases: PhaseSpecInput[]): Promise<Run> {
  return client.runs.create({
    spec_slug: "executor-kit-test",
    git_sha: "a".repeat(40),
    environment: "dev",
    input_manifest: { source: "test" },
    phases,
  });
}

/** Polls the run until it is terminal (or `predicate` holds). */
export async function waitForRun(
  client: ControlRoomClient,
  runId: string,
  predicate: (run: Run) => boolean = (run) => TERMINAL.has(run.status),
  timeoutMs = 20_000,
): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await client.runs.get(runId);
    if (predicate(run)) return run;
    if (Date.now() > deadline) {
      throw new Error(
        `run ${runId} did not get there in time: ${JSON.stringify(run.phases.map((p) => [p.name, p.status, p.attempt]))}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every stored event of a run, in `seq` order. */
export async function allEvents(client: ControlRoomClient, runId: string): Promise<Event[]> {
  const events: Event[] = [];
  for await (const event of client.events.iterate(runId)) events.push(event);
  return events;
}

/** Waits until `check` holds. */
export async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A worker for a test: quiet, quick to poll, stopped by `stop()`. */
export function startWorker(
  executor: ExecutorDefinition,
  options: Partial<RunWorkerOptions> & Pick<RunWorkerOptions, "client">,
): { stop(): Promise<WorkerSummary>; done: Promise<WorkerSummary> } {
  const controller = new AbortController();
  const done = runWorker(executor, {
    logger: pino({ level: "silent" }),
    handleSignals: false,
    claimWaitMs: 1_000,
    backoffInitialMs: 50,
    eventFlushIntervalMs: 20,
    progressIntervalMs: 50,
    signal: controller.signal,
    ...options,
  });
  return {
    done,
    stop: async () => {
      controller.abort();
      return done;
    },
  };
}

/**
 * Starts one embedded control plane for the test file (closed after it) and returns
 * a getter for it, so each file states its setup in one line.
 */
export function useTestControlPlane(): () => TestControlPlane {
  let cp: TestControlPlane | undefined;
  beforeAll(async () => {
    cp = await startTestControlPlane();
  });
  afterAll(async () => {
    await cp?.close();
  });
  return () => {
    if (!cp) throw new Error("the test control plane is not started yet (use it inside a test)");
    return cp;
  };
}
