import type { Environment, EventLevel } from "@controlroom/contract";
import type { Logger } from "pino";
import type { Adapters } from "../context/adapters.js";
import type {
  OpenLineageEmitter,
  OpenLineageEmitterOptions,
} from "../lineage/openlineage-emitter.js";
import type { ObjectStore } from "../ports/object-store.js";
import type { SecretProvider } from "../ports/secret-provider.js";
import type { WorkerClient } from "./worker-client.js";

/** Options of `runWorker()`. */
export interface RunWorkerOptions {
  /**
   * The SDK client the worker claims, heartbeats and completes with; its token needs
   * the `executor` role (or `admin`). No default: required.
   */
  client: WorkerClient;
  /**
   * The most phases run at once; the worker claims only while a slot is free.
   * @default 1
   */
  concurrency?: number;
  /**
   * The environments whose runs this worker claims from.
   * @default ["dev"]
   */
  environments?: readonly Environment[];
  /**
   * The adapters every phase gets as `ctx.adapters`.
   * @default {}
   */
  adapters?: Adapters;
  /**
   * Stops the worker: it stops claiming, lets running phases finish within
   * `shutdownGraceMs`, then aborts them and reports them failed-retryable.
   * @default undefined
   */
  signal?: AbortSignal;
  /**
   * Stop the same way on SIGTERM and SIGINT (a second signal skips the grace period).
   * @default true
   */
  handleSignals?: boolean;
  /**
   * How long running phases may take to finish after a stop, in milliseconds.
   * @default 30_000
   */
  shutdownGraceMs?: number;
  /**
   * Where `ctx.artifacts.put()` stores bytes (artifacts are content addressed under
   * `artifacts/sha256/…`). Without one, `ctx.artifacts.put()` fails the phase.
   * @default undefined
   */
  artifactStore?: ObjectStore;
  /**
   * Where `ctx.secrets.get()` reads secrets.
   * @default envSecretProvider() (process.env)
   */
  secrets?: SecretProvider;
  /**
   * This worker's id in claims and `claimed_by`; unique per process.
   * @default "<executor id>@<hostname>:<pid>:<random>"
   */
  executorId?: string;
  /**
   * Capabilities to declare when claiming.
   * @default the executor's capabilities
   */
  capabilities?: readonly string[];
  /**
   * Lease length to ask for, in seconds; the server may raise very short ones.
   * @default undefined (the server's default, 60 s)
   */
  leaseSeconds?: number;
  /**
   * How long one claim long-polls when nothing is runnable, in milliseconds (≤ 30 000).
   * @default 10_000
   */
  claimWaitMs?: number;
  /**
   * First delay after a failed claim (429, 503, no connection); it doubles per
   * consecutive failure, with jitter, and never undercuts the server's `Retry-After`.
   * @default 500
   */
  backoffInitialMs?: number;
  /**
   * The longest delay between failed claims.
   * @default 30_000
   */
  backoffMaxMs?: number;
  /**
   * The lowest level written to stderr.
   * @default "info"
   */
  logLevel?: "debug" | "info" | "warn" | "error" | "silent";
  /**
   * A pino logger to log through instead of a new one on stderr.
   * @default undefined
   */
  logger?: Logger;
  /**
   * The lowest level of `ctx.log` lines also sent to the run as `LOG` events.
   * @default "info"
   */
  eventLevel?: EventLevel;
  /**
   * The smallest interval between two `PHASE_PROGRESS` events of one phase.
   * @default 1_000
   */
  progressIntervalMs?: number;
  /**
   * How long events wait in the buffer before they are sent.
   * @default 250
   */
  eventFlushIntervalMs?: number;
  /**
   * Emit OpenLineage run events for every attempt: START, RUNNING on progress,
   * COMPLETE, FAIL or ABORT, with the datasets phases report (`ctx.lineage`; the
   * medallion template reports its tables itself). Options (`{ transport: { type:
   * "http", url } }`, `{ transport: { type: "file", path } }`…) make an emitter the
   * worker closes when it stops; an emitter from `createOpenLineageEmitter()` is shared
   * (flushed on stop, closed by you), e.g. with code that emits run-level events.
   * Sending never fails or delays a phase.
   * @default undefined (no lineage)
   */
  lineage?: OpenLineageEmitter | OpenLineageEmitterOptions | undefined;
}
