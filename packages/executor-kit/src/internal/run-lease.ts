import {
  type CompleteRequest,
  type EventInput,
  type EventLevel,
  type Lease,
  MAX_EVENTS_PER_APPEND,
} from "@controlroom/contract";
import type { Logger } from "pino";
import type { Adapters } from "../context/adapters.js";
import type { ExecutorDefinition } from "../definition/define-executor.js";
import type { ExecutorKitError } from "../errors/executor-kit-error.js";
import type { OpenLineageEmitter } from "../lineage/openlineage-emitter.js";
import type { SecretProvider } from "../ports/secret-provider.js";
import type { WorkerClient, WorkerEventBuffer, WorkerEventDraft } from "../worker/worker-client.js";
import { abortableSleep } from "./abortable-sleep.js";
import type { ArtifactSink } from "./artifact-sink.js";
import { clientErrorKind, retryAfterMsOf } from "./client-error-kind.js";
import type { CompletionSink, LastEvents } from "./completion-batcher.js";
import { type AttemptOutcome, executeAttempt } from "./execute-attempt.js";
import { LeaseKeeper } from "./lease-keeper.js";
import type { Redactor } from "./redactor.js";

/** How one leased attempt ended, from the worker's point of view. */
export type LeaseResult = "succeeded" | "failed" | "abandoned" | "rejected";

/** What {@link runLease} needs from the worker. */
export interface RunLeaseDeps {
  executor: ExecutorDefinition;
  client: WorkerClient;
  logger: Logger;
  redactor: Redactor;
  eventLevel: EventLevel;
  progressIntervalMs: number;
  eventFlushIntervalMs: number;
  secrets: SecretProvider;
  adapters: Adapters;
  /** Stores an artifact for a lease; undefined when the worker has no store. */
  artifactSink: ((lease: Lease) => ArtifactSink) | undefined;
  /** Aborted (reason `worker_shutdown`) when the grace period is over. */
  shutdown: AbortSignal;
  /** Where attempts' OpenLineage events go; undefined for none. */
  lineage: OpenLineageEmitter | undefined;
  /**
   * Sends completes: the worker's `CompletionBatcher`, shared by its leases so
   * that attempts ending together are completed in one request.
   */
  completions: CompletionSink;
  /**
   * Called once the attempt is over (its complete accepted, or no complete to send),
   * before the lease's own cleanup: the worker may fill its slot from then on. Called
   * again at the end of the lease; only the first call counts.
   * @default none
   */
  released?: () => void;
}

/**
 * Works one lease: heartbeats it, runs the phase, and completes it unless the lease
 * was lost or the run cancelled. Never throws; the worker only counts the result.
 */
export async function runLease(lease: Lease, deps: RunLeaseDeps): Promise<LeaseResult> {
  const logger = deps.logger.child({
    run_id: lease.run_id,
    phase: lease.phase,
    attempt: lease.attempt,
  });
  const buffer = deps.client.events.buffer(lease.run_id, {
    flushIntervalMs: deps.eventFlushIntervalMs,
    onError: (error) =>
      logger.warn({ err: deps.redactor.redactString(String(error)) }, "could not send events"),
  });
  const controller = new AbortController();
  const abort = (reason: ExecutorKitError) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const onShutdown = () => abort(deps.shutdown.reason as ExecutorKitError);
  if (deps.shutdown.aborted) onShutdown();
  else deps.shutdown.addEventListener("abort", onShutdown, { once: true });

  // The latest progress rides along with the next heartbeat.
  const progressRef: { current: { fraction: number; message?: string } | undefined } = {
    current: undefined,
  };
  const keeper = new LeaseKeeper({
    client: deps.client,
    lease,
    logger,
    redactor: deps.redactor,
    progress: () => progressRef.current,
    onLost: (reason) => {
      logger.warn({ reason: reason.code }, `stopping the phase: ${reason.message}`);
      abort(reason);
    },
  });
  // The worker claims with `start`, so the claim itself usually moved the phase to
  // `running` (PHASE_STARTED written) and the keeper's first heartbeat waits an interval.
  // From a server that did not, the first heartbeat starts the phase; the phase starts
  // without waiting for its answer, which saves a round trip, and a lease lost or a run
  // cancelled meanwhile aborts it through `onLost`. The phase's own events wait for that
  // answer, and so does the complete, so the trail still reads claimed, started, the
  // phase's events, then the verdict.
  const firstBeat = keeper.start();
  const held: WorkerEventDraft[] = [];
  let startedOnServer = false;
  const send = (event: WorkerEventDraft) => {
    if (startedOnServer) buffer.push(event);
    else held.push(event);
  };
  const started = firstBeat.then(() => {
    startedOnServer = true;
    for (const event of held.splice(0)) buffer.push(event);
  });
  try {
    const definition = Object.hasOwn(deps.executor.phases, lease.phase)
      ? deps.executor.phases[lease.phase]
      : undefined;
    const specTimeoutMs = lease.phase_spec.timeout_seconds * 1_000;
    const timeoutMs = Math.min(specTimeoutMs, definition?.timeoutMs ?? specTimeoutMs);
    logger.info({ timeout_ms: timeoutMs }, "phase started");
    const outcome = await executeAttempt({
      executor: deps.executor,
      info: {
        run_id: lease.run_id,
        phase: lease.phase,
        kind: lease.phase_spec.kind,
        spec_slug: lease.spec_slug,
        git_sha: lease.git_sha,
        environment: lease.environment,
        attempt: lease.attempt,
        input_manifest: lease.input_manifest,
        params: lease.phase_spec.params,
        upstream: lease.upstream_outputs,
      },
      timeoutMs,
      signal: controller.signal,
      services: {
        logger,
        eventLevel: deps.eventLevel,
        emit: (event) => {
          if (event.type === "PHASE_PROGRESS") {
            progressRef.current = event.payload as { fraction: number; message?: string };
          }
          // Stamped here, not when the batch is sent, so `ts` is when it happened; the
          // id makes a resend after a lost response a duplicate, not a second event.
          send({
            event_id: crypto.randomUUID(),
            ts: new Date().toISOString(),
            phase: lease.phase,
            ...deps.redactor.redact(event),
          });
        },
        redactor: deps.redactor,
        storeArtifact: deps.artifactSink?.(lease),
        secrets: deps.secrets,
        adapters: deps.adapters,
        progressIntervalMs: deps.progressIntervalMs,
        lineage: deps.lineage,
      },
    });
    await started;
    return await finish(lease, outcome, keeper, buffer, logger, deps);
  } finally {
    deps.released?.();
    // An attempt that ends early (abandoned, or a bug) still lets the heartbeat finish
    // before the keeper stops, so its held events are not lost.
    await started;
    keeper.stop();
    deps.shutdown.removeEventListener("abort", onShutdown);
    await buffer.close().catch(() => undefined);
  }
}

async function finish(
  lease: Lease,
  outcome: AttemptOutcome,
  keeper: LeaseKeeper,
  buffer: WorkerEventBuffer,
  logger: Logger,
  deps: RunLeaseDeps,
): Promise<LeaseResult> {
  if (outcome.status === "abandoned") {
    logger.warn({ reason: outcome.reason.code }, "phase abandoned; not completing it");
    return "abandoned";
  }
  // Our events first, so the trail reads: started, logs, then the server's verdict:
  // carried in the completion when the sink can (no request of their own), else sent
  // before it.
  const events = await lastEvents(buffer, deps.completions);
  const body: CompleteRequest =
    outcome.status === "succeeded"
      ? {
          lease_token: lease.lease_token,
          status: "succeeded",
          output: outcome.output,
          output_manifest: outcome.output_manifest,
        }
      : {
          lease_token: lease.lease_token,
          status: "failed",
          error: outcome.error,
          output_manifest: outcome.output_manifest,
        };
  if (outcome.status === "failed") {
    logger.warn({ error: outcome.error }, "phase failed");
  } else {
    logger.info("phase succeeded");
  }
  const result = await complete(lease, body, keeper, logger, deps, events);
  // A complete that did not go through may not have delivered them: they go on their
  // own (unless they already did; the server keeps each event once either way).
  if (result !== "ok") await events?.send(events.items);
  if (result === "fatal" && body.status === "succeeded") {
    // The server refused the output itself (too large, not JSON it accepts): report
    // the attempt as failed rather than leave it to expire and retry pointlessly.
    const fallback: CompleteRequest = {
      lease_token: lease.lease_token,
      status: "failed",
      error: {
        message: "the control plane rejected the phase's output",
        code: "complete_rejected",
        retryable: false,
      },
    };
    const second = await complete(lease, fallback, keeper, logger, deps);
    return second === "ok" ? "failed" : "rejected";
  }
  if (result !== "ok") return "rejected";
  return outcome.status;
}

async function complete(
  lease: Lease,
  body: CompleteRequest,
  keeper: LeaseKeeper,
  logger: Logger,
  deps: RunLeaseDeps,
  events?: LastEvents,
): Promise<"ok" | "lease_lost" | "fatal" | "gave_up"> {
  for (let failures = 0; ; failures++) {
    try {
      // Settles as the single `client.leases.complete` would, batched or not.
      // Accepted: the attempt is over and its slot free, even before this resumes.
      // A retry carries the same events: the server stores none of them twice.
      await deps.completions.complete(lease.run_id, body, { onAccepted: deps.released, events });
      return "ok";
    } catch (error) {
      const kind = clientErrorKind(error);
      const message = deps.redactor.redactString(String((error as Error)?.message ?? error));
      if (kind === "lease_lost") {
        logger.warn({ err: message }, "complete rejected: the lease was lost");
        return "lease_lost";
      }
      if (kind === "fatal") {
        logger.error({ err: message }, "complete rejected");
        return "fatal";
      }
      // Completes are idempotent, so retrying is safe until the lease runs out.
      const delay = retryAfterMsOf(error) ?? Math.min(10_000, 250 * 2 ** failures);
      if (Date.now() + delay > keeper.expiresAt) {
        logger.error({ err: message }, "could not complete before the lease expired");
        return "gave_up";
      }
      logger.warn({ err: message, retry_in_ms: delay }, "complete failed; retrying");
      await abortableSleep(delay);
    }
  }
}

/**
 * The attempt's events still in its buffer, taken out to ride in the completion when
 * the sink carries events (no more than one append may hold), with the way to send
 * them on their own should the completion not carry them after all. Otherwise, or when
 * the buffer cannot hand them over, they are flushed now and none are returned.
 */
async function lastEvents(
  buffer: WorkerEventBuffer,
  completions: CompletionSink,
): Promise<LastEvents | undefined> {
  if (completions.carriesEvents === true && buffer.take !== undefined) {
    const items = await buffer.take();
    if (items.length === 0) return undefined;
    // Once: they are the same events whoever asks (the batcher, or the attempt's end).
    let sent = false;
    const send = async (events: EventInput[]) => {
      if (sent) return;
      sent = true;
      for (const event of events) buffer.push(event);
      await buffer.flush().catch(() => undefined);
    };
    if (items.length <= MAX_EVENTS_PER_APPEND) return { items, send };
    for (const event of items) buffer.push(event);
  }
  await buffer.flush().catch(() => undefined);
  return undefined;
}
