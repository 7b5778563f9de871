import type { OpenLineageEmitterStats } from "../lineage/openlineage-emitter.js";

/**
 * What a worker did, as `runWorker()` resolves it after shutdown.
 *
 * @example
 * ```ts
 * const summary = await runWorker(executor, { client, signal });
 * console.log(`${summary.succeeded} succeeded, ${summary.failed} failed`);
 * ```
 */
export interface WorkerSummary {
  executorId: string;
  /** Leases claimed. */
  claimed: number;
  /** Attempts completed as succeeded. */
  succeeded: number;
  /** Attempts completed as failed (including timeouts and shutdown aborts). */
  failed: number;
  /** Attempts stopped without a complete (lease lost, run cancelled). */
  abandoned: number;
  /** Attempts whose complete the server refused or that could not be sent. */
  rejected: number;
  /** What the OpenLineage emitter did, when `lineage` was given. */
  lineage?: OpenLineageEmitterStats;
}
