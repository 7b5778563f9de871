import { hostname } from "node:os";
import { type CompletionClaim, type Lease, MAX_BATCH_SIZE } from "@controlroom/contract";
import type { ExecutorDefinition, PhaseMap } from "../definition/define-executor.js";
import { ExecutorKitError } from "../errors/executor-kit-error.js";
import { abortableSleep } from "../internal/abortable-sleep.js";
import type { ArtifactSink } from "../internal/artifact-sink.js";
import { ClaimSlots, type SlotClaim } from "../internal/claim-slots.js";
import { clientErrorKind, retryAfterMsOf } from "../internal/client-error-kind.js";
import { CompletionBatcher } from "../internal/completion-batcher.js";
import { createLogger } from "../internal/create-logger.js";
import { Redactor } from "../internal/redactor.js";
import { type LeaseResult, runLease } from "../internal/run-lease.js";
import { isUnknownRoute } from "../internal/unknown-route.js";
import {
  createOpenLineageEmitter,
  isOpenLineageEmitter,
  type OpenLineageEmitter,
} from "../lineage/openlineage-emitter.js";
import { envSecretProvider } from "../stores/env-secret-provider.js";
import { toArtifactStorage } from "../stores/to-artifact-storage.js";
import type { RunWorkerOptions } from "./run-worker-options.js";
import type { WorkerSummary } from "./worker-summary.js";

/**
 * Serves an executor: long-polls the control plane for runnable phases it can run
 * (across runs, in the given environments), runs up to `concurrency` of them at once,
 * heartbeats each lease at the interval the lease gives, and completes each attempt.
 * Resolves with a summary once it has stopped (via `signal`, SIGTERM or SIGINT) and
 * every running phase has finished or been reported failed-retryable; rejects when the
 * server refuses its claims outright (bad token, wrong role).
 *
 * - Lease lost or run cancelled: `ctx.signal` aborts and the attempt is not completed.
 * - Timeout (the phase's `timeoutMs` or the spec's `timeout_seconds`): the phase is
 *   aborted and completed as failed, retryable.
 * - `NonRetryableError`, an unknown phase, invalid params or output: failed, not retried.
 * - `RetryAfterError`: failed with `retry_after_ms`.
 * - 429/503 or no connection while claiming: exponential backoff (honouring `Retry-After`).
 *
 * With a client that has `claims.claimBatch` the worker claims all its free slots in
 * one request (`POST /ops/claims/batch`), and with `leases.completeBatch` the attempts
 * that end while a complete is in flight are completed together in the next one
 * (`POST /ops/completions`); from a server without those endpoints it falls back to
 * one claim and one complete per phase. With `leases.completeAndClaim` each completion
 * request also claims the slots it frees (and any others free), so a busy worker makes
 * one request per cycle; the long-polled claim is for when no completion is pending.
 *
 * @example
 * ```ts
 * import { ControlRoomClient } from "@controlroom/sdk";
 *
 * const client = new ControlRoomClient({ baseUrl: process.env.CONTROLROOM_URL!, token: process.env.CONTROLROOM_TOKEN! });
 * const summary = await runWorker(executor, { client, concurrency: 4, environments: ["dev"] });
 * ```
 */
export async function runWorker<TPhases extends PhaseMap>(
  executor: ExecutorDefinition<TPhases>,
  options: RunWorkerOptions,
): Promise<WorkerSummary> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const executorId =
    options.executorId ??
    `${executor.id}@${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`.slice(0, 200);
  const claimWaitMs = Math.min(30_000, Math.max(0, options.claimWaitMs ?? 10_000));
  const backoffInitialMs = Math.max(1, options.backoffInitialMs ?? 500);
  const backoffMaxMs = Math.max(backoffInitialMs, options.backoffMaxMs ?? 30_000);
  const graceMs = Math.max(0, options.shutdownGraceMs ?? 30_000);
  const redactor = new Redactor();
  const logger = createLogger({
    level: options.logLevel ?? "info",
    redactor,
    base: { executor_id: executorId, executor: executor.id, version: executor.version },
    parent: options.logger,
  });
  const { client } = options;
  // Options make an emitter the worker owns (and closes); an emitter is only flushed.
  const ownsLineage = options.lineage !== undefined && !isOpenLineageEmitter(options.lineage);
  const lineage: OpenLineageEmitter | undefined =
    options.lineage === undefined || isOpenLineageEmitter(options.lineage)
      ? options.lineage
      : createOpenLineageEmitter({
          ...options.lineage,
          logger: options.lineage.logger ?? logger.child({ component: "openlineage" }),
        });
  const storage = options.artifactStore ? toArtifactStorage(options.artifactStore) : undefined;
  const artifactSink = storage
    ? (lease: Lease): ArtifactSink =>
        async ({ name, data, mediaType, metadata, signal }) => {
          const artifact = await client.artifacts.put({
            data,
            mediaType,
            storage,
            link: { run_id: lease.run_id, phase: lease.phase, name },
            metadata,
            signal,
          });
          return {
            name,
            sha256: artifact.sha256,
            size_bytes: artifact.size_bytes,
            media_type: artifact.media_type,
            uri: artifact.uri,
          };
        }
    : undefined;

  const summary: WorkerSummary = {
    executorId,
    claimed: 0,
    succeeded: 0,
    failed: 0,
    abandoned: 0,
    rejected: 0,
  };
  const stopping = new AbortController();
  const shutdown = new AbortController();
  const stop = (why: string) => {
    if (stopping.signal.aborted) return;
    logger.info({ why, running: running.size }, "stopping: no new claims");
    stopping.abort();
  };
  const forceStop = (why: string) => {
    stop(why);
    if (!shutdown.signal.aborted) {
      shutdown.abort(
        new ExecutorKitError(
          "worker_shutdown",
          `the worker shut down (${why}) before the phase finished`,
        ),
      );
    }
  };
  const onOuterAbort = () => stop("signal");
  if (options.signal?.aborted) onOuterAbort();
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  const onProcessSignal = (name: NodeJS.Signals) =>
    stopping.signal.aborted ? forceStop(`second ${name}`) : stop(name);
  const handleSignals = options.handleSignals ?? true;
  if (handleSignals) {
    process.on("SIGTERM", onProcessSignal);
    process.on("SIGINT", onProcessSignal);
  }

  const running = new Set<Promise<LeaseResult>>();
  // Every claim, the loop's own and those completion requests carry, reserves its slots
  // here first: the worker never asks for more leases than it has room for. A lease's
  // slot frees as soon as its attempt's complete is accepted, not when the attempt's
  // cleanup is done.
  const slots = new ClaimSlots(concurrency);
  // Whether the last claim took every lease it asked for: work is queued. The worker
  // then waits for half its slots before claiming again, so that under load a claim
  // carries several leases instead of one per freed slot; with the queue drained it
  // claims as soon as one slot is free, so an idle worker adds no latency.
  let backlog = false;
  const claimFields = {
    executor_id: executorId,
    capabilities: [...(options.capabilities ?? executor.capabilities)],
    environments: [...(options.environments ?? ["dev"])],
    // The phase starts as soon as the lease arrives: no first heartbeat needed.
    start: true,
    ...(options.leaseSeconds === undefined ? {} : { lease_seconds: options.leaseSeconds }),
  };
  const slotOf = (claim: CompletionClaim): SlotClaim => ({
    requestId: claim.request_id,
    maxLeases: claim.max_leases,
  });
  // Shared by every lease: attempts that end together are completed in one request, and
  // that request also claims the slots it frees (and any others free), so a busy worker
  // makes one request per cycle rather than a complete and a claim.
  const completions = new CompletionBatcher({
    client,
    logger,
    claimAlong: {
      next: (completing) => {
        if (stopping.signal.aborted) return undefined;
        const claim = slots.reserve(1, MAX_BATCH_SIZE, completing);
        return (
          claim && { ...claimFields, request_id: claim.requestId, max_leases: claim.maxLeases }
        );
      },
      answered: (claim, leases) => {
        slots.release(slotOf(claim));
        backlog = leases.length === claim.max_leases;
        for (const lease of leases) startLease(lease);
      },
      unanswered: (claim) => slots.keep(slotOf(claim)),
      dropped: (claim) => slots.release(slotOf(claim)),
    },
  });
  // One promise for the whole loop: a fresh listener per wait would pile up.
  const stopped = once(stopping.signal);
  const startLease = (lease: Lease) => {
    summary.claimed++;
    slots.leaseStarted();
    let over = false;
    const released = () => {
      if (over) return;
      over = true;
      slots.leaseEnded();
    };
    const task = runLease(lease, {
      executor,
      client,
      logger,
      redactor,
      eventLevel: options.eventLevel ?? "info",
      progressIntervalMs: options.progressIntervalMs ?? 1_000,
      eventFlushIntervalMs: options.eventFlushIntervalMs ?? 250,
      secrets: options.secrets ?? envSecretProvider(),
      adapters: options.adapters ?? {},
      artifactSink,
      shutdown: shutdown.signal,
      lineage,
      completions,
      released,
    }).then(
      (result) => {
        released();
        summary[result]++;
        return result;
      },
      // runLease never throws; this keeps an unexpected bug from killing the worker.
      (error: unknown) => {
        released();
        logger.error({ err: redactor.redactString(String(error)) }, "attempt crashed");
        summary.rejected++;
        return "rejected" as const;
      },
    );
    running.add(task);
    void task.finally(() => running.delete(task));
  };

  logger.info({ concurrency, environments: options.environments ?? ["dev"] }, "worker started");
  let fatal: unknown;
  let failures = 0;
  // Until the server shows it does not know POST /ops/claims/batch.
  let batchClaims = typeof client.claims.claimBatch === "function";
  try {
    while (!stopping.signal.aborted) {
      const wanted = batchClaims && backlog ? Math.ceil(concurrency / 2) : 1;
      // A claim that went unanswered comes back from `reserve` with its request_id, so a
      // claim that succeeded on the server but whose response was lost returns the same
      // leases, not more. Its size is fixed with it: slots only free up meanwhile.
      const claim = slots.reserve(wanted, batchClaims ? MAX_BATCH_SIZE : 1);
      if (claim === undefined) {
        await Promise.race([stopped, slots.changed()]);
        continue;
      }
      const startedAt = Date.now();
      const body = { ...claimFields, request_id: claim.requestId, wait_ms: claimWaitMs };
      let leases: Lease[];
      try {
        const { claims } = client;
        if (batchClaims && typeof claims.claimBatch === "function") {
          // Called as a method: the SDK's resources use `this`.
          leases = await claims.claimBatch(
            { ...body, max_leases: claim.maxLeases },
            { signal: stopping.signal },
          );
        } else {
          const lease = await claims.claim(body, { signal: stopping.signal });
          leases = lease ? [lease] : [];
        }
      } catch (error) {
        if (stopping.signal.aborted) {
          slots.release(claim);
          break;
        }
        if (batchClaims && isUnknownRoute(error)) {
          // An older control plane: claim one phase per request from now on. The batch
          // claim took nothing.
          batchClaims = false;
          slots.release(claim);
          logger.info(
            "the control plane has no POST /ops/claims/batch; claiming one phase per request",
          );
          continue;
        }
        const kind = clientErrorKind(error);
        const message = redactor.redactString(String((error as Error)?.message ?? error));
        if (kind === "fatal") {
          slots.release(claim);
          logger.error({ err: message }, "the control plane refused the claim; stopping");
          fatal = error;
          stop("fatal claim error");
          break;
        }
        slots.keep(claim);
        failures++;
        const backoff = Math.min(backoffMaxMs, backoffInitialMs * 2 ** (failures - 1));
        const delay = Math.max(retryAfterMsOf(error) ?? 0, backoff * (1 + 0.2 * Math.random()));
        logger.warn(
          { err: message, kind, retry_in_ms: Math.round(delay) },
          "claim failed; backing off",
        );
        await abortableSleep(delay, stopping.signal);
        continue;
      }
      failures = 0;
      slots.release(claim);
      backlog = leases.length > 0 && leases.length === claim.maxLeases;
      for (const lease of leases) startLease(lease);
      if (leases.length === 0 && Date.now() - startedAt < claimWaitMs / 2) {
        // The server answered "nothing" without waiting (no long-poll support, or a
        // wait of 0): pause so an idle worker does not spin.
        await abortableSleep(backoffInitialMs, stopping.signal);
      }
    }
  } finally {
    options.signal?.removeEventListener("abort", onOuterAbort);
    // A claim left unanswered is not repeated now: whatever it took expires on the server.
    slots.forgetUnanswered();
    if (running.size > 0) {
      logger.info({ running: running.size, grace_ms: graceMs }, "waiting for running phases");
      const graceTimer = setTimeout(() => forceStop("grace period over"), graceMs);
      // Again until none is left: a completion request in flight may still bring leases
      // its claim took before the worker stopped, and they are run like the others.
      while (running.size > 0) await Promise.all([...running]);
      clearTimeout(graceTimer);
    }
    if (handleSignals) {
      process.off("SIGTERM", onProcessSignal);
      process.off("SIGINT", onProcessSignal);
    }
    if (lineage) {
      // Bounded: an unreachable endpoint must not keep a stopping worker alive.
      if (ownsLineage) await lineage.close();
      else await lineage.flush(LINEAGE_FLUSH_MS);
      summary.lineage = lineage.stats();
    }
    logger.info({ ...summary }, "worker stopped");
    logger.flush?.();
  }
  if (fatal !== undefined) throw fatal;
  return summary;
}

/** How long a worker waits for a shared emitter's queue when it stops. */
const LINEAGE_FLUSH_MS = 5_000;

function once(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
