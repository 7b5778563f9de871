import type { Event, Run } from "@controlroom/contract";
import { type ExecutorDefinition, runWorker } from "@controlroom/executor-kit";
import type { AuditPlane } from "./open-audit-plane.js";

/** Options of {@link workAuditRun}. */
export interface WorkAuditRunOptions {
  /** Called with each of the run's events as it happens. */
  onEvent?: ((event: Event) => void) | undefined;
  /** Stops following (the worker shuts down; the run is left to its leases). */
  signal?: AbortSignal | undefined;
  /** Worker logs on stderr. @default false */
  verbose?: boolean | undefined;
}

/**
 * Works `run` to its end with one in-process worker serving `executor`, and returns the
 * finished run with every event it has. The worker claims in the run's environment
 * only phases its executor's capability allows.
 *
 * @example
 * ```ts
 * const { run: done, events } = await workAuditRun(plane, defineRollbackExecutor(), run);
 * ```
 */
export async function workAuditRun(
  plane: AuditPlane,
  executor: ExecutorDefinition,
  run: Run,
  options: WorkAuditRunOptions = {},
): Promise<{ run: Run; events: Event[] }> {
  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const worker = runWorker(executor, {
    client: plane.workerClient,
    adapters: { lakehouse: plane.lakehouse },
    artifactStore: plane.store,
    environments: [run.environment],
    concurrency: 1,
    claimWaitMs: 1_000,
    leaseSeconds: 30,
    handleSignals: false,
    signal: stop.signal,
    logLevel: options.verbose ? "info" : "error",
  });
  const events: Event[] = [];
  try {
    for await (const event of plane.client.events.iterate(run.run_id, {
      follow: true,
      signal: options.signal,
    })) {
      events.push(event);
      options.onEvent?.(event);
    }
  } finally {
    stop.abort();
    await worker;
    options.signal?.removeEventListener("abort", onAbort);
  }
  return { run: await plane.client.runs.get(run.run_id), events };
}
