import type { Environment, EventLevel, JsonObject, PhaseError } from "@controlroom/contract";
import { type Logger, pino } from "pino";
import type { Adapters } from "../context/adapters.js";
import type { ManifestEntry, StoredArtifact } from "../context/phase-context.js";
import type { ExecutorDefinition, PhaseMap } from "../definition/define-executor.js";
import type { PhaseOutput, PhaseParamsInput } from "../definition/phase.js";
import { ExecutorKitError } from "../errors/executor-kit-error.js";
import { artifactKey } from "../internal/artifact-key.js";
import type { ArtifactSink } from "../internal/artifact-sink.js";
import { executeAttempt } from "../internal/execute-attempt.js";
import { Redactor } from "../internal/redactor.js";
import { sha256Hex } from "../internal/sha256.js";
import {
  createOpenLineageEmitter,
  DEFAULT_OPENLINEAGE_PRODUCER,
  isOpenLineageEmitter,
  type OpenLineageEmitter,
  type OpenLineageEmitterOptions,
} from "../lineage/openlineage-emitter.js";
import type { OpenLineageRunEvent } from "../lineage/openlineage-event.js";
import type { ObjectStore } from "../ports/object-store.js";
import type { SecretProvider } from "../ports/secret-provider.js";
import { createMemoryObjectStore } from "../stores/memory-object-store.js";

/** Options of {@link runPhase}. */
export interface RunPhaseOptions<Params> {
  /**
   * The phase's params, as a run spec would give them (before parsing).
   * @default {}
   */
  params?: Params;
  /**
   * Outputs of upstream phases, by phase name.
   * @default {}
   */
  upstream?: Record<string, JsonObject | null>;
  /**
   * The adapters `ctx.adapters` holds.
   * @default {}
   */
  adapters?: Partial<Adapters>;
  /**
   * Secrets by name, or a provider. The environment is not read, so tests stay hermetic.
   * @default {}
   */
  secrets?: Readonly<Record<string, string>> | SecretProvider;
  /**
   * Run metadata the context reports.
   * @default a random run_id, spec_slug "test", git_sha of 40 zeros, environment "dev", input_manifest {}
   */
  run?: {
    run_id?: string;
    spec_slug?: string;
    git_sha?: string;
    environment?: Environment;
    input_manifest?: JsonObject;
  };
  /**
   * The attempt number the context reports.
   * @default 1
   */
  attempt?: number;
  /**
   * The attempt's time limit.
   * @default the phase's timeoutMs (none when it has none)
   */
  timeoutMs?: number;
  /**
   * Cancels the phase, as a cancelled run would: `ctx.signal` aborts and the result's
   * status is `"cancelled"`.
   * @default undefined
   */
  signal?: AbortSignal;
  /**
   * Where `ctx.artifacts.put()` stores bytes.
   * @default a new in-memory store
   */
  artifactStore?: ObjectStore;
  /**
   * Logs at or above this level are captured as `LOG` events.
   * @default "debug"
   */
  eventLevel?: EventLevel;
  /**
   * The smallest interval between `PHASE_PROGRESS` events.
   * @default 0 (every call is captured)
   */
  progressIntervalMs?: number;
  /**
   * Build the attempt's OpenLineage events (START, RUNNING, COMPLETE/FAIL/ABORT) and
   * capture them in the result's `lineage`: `true` only captures (a RUNNING event on
   * every progress report); emitter options or an emitter also send them, as a worker
   * would (an emitter made from options is closed before `runPhase` resolves).
   * @default undefined (no lineage: `ctx.lineage.enabled` is false)
   */
  lineage?: boolean | OpenLineageEmitter | OpenLineageEmitterOptions;
  /**
   * Where log lines go.
   * @default a silent logger (the captured `logs` hold them)
   */
  logger?: Logger;
}

/** An event the phase emitted, as the worker would send it. */
export interface CapturedEvent {
  phase: string;
  type: string;
  level: EventLevel;
  message: string;
  payload: JsonObject;
  ts: string;
}

/** An artifact the phase stored, with its bytes. */
export interface CapturedArtifact extends StoredArtifact {
  data: Uint8Array;
  metadata: JsonObject;
}

/** What {@link runPhase} observed. */
export interface RunPhaseResult<Output> {
  /** `cancelled` when `signal` aborted the phase. */
  status: "succeeded" | "failed" | "cancelled";
  /** The parsed output, when it succeeded. */
  output: Output | undefined;
  outputManifest: Record<string, ManifestEntry>;
  /** The error a worker would send with its failed complete. */
  error: PhaseError | undefined;
  /** What the phase threw (or the kit's own error), when it failed. */
  thrown: unknown;
  /** Every event, in order, secrets redacted. */
  events: CapturedEvent[];
  /** The `LOG` events only. */
  logs: CapturedEvent[];
  artifacts: CapturedArtifact[];
  artifactStore: ObjectStore;
  /** The OpenLineage events of the attempt, in order; empty without the `lineage` option. */
  lineage: OpenLineageRunEvent[];
}

/**
 * Runs one phase of an executor with a fake context and no server, the way a worker
 * would (params and output validated, timeout, error classification, redaction), and
 * returns everything it did. It does not throw for a failing phase: assert on
 * `status` and `error`.
 *
 * @example
 * ```ts
 * import { runPhase } from "@controlroom/executor-kit/testing";
 *
 * const result = await runPhase(executor, "greet", { params: { name: "Ada" } });
 * expect(result.status).toBe("succeeded");
 * expect(result.output).toEqual({ greeting: "hello Ada" });
 * ```
 */
export async function runPhase<TPhases extends PhaseMap, TName extends keyof TPhases & string>(
  executor: ExecutorDefinition<TPhases>,
  name: TName,
  options: RunPhaseOptions<PhaseParamsInput<TPhases[TName]>> = {},
): Promise<RunPhaseResult<PhaseOutput<TPhases[TName]>>> {
  const store = options.artifactStore ?? createMemoryObjectStore();
  const redactor = new Redactor();
  const events: CapturedEvent[] = [];
  const artifacts: CapturedArtifact[] = [];
  const definition = Object.hasOwn(executor.phases, name) ? executor.phases[name] : undefined;

  const storeArtifact: ArtifactSink = async (request) => {
    const sha256 = sha256Hex(request.data);
    const key = artifactKey(sha256);
    await store.putIfAbsent(key, request.data, {
      contentType: request.mediaType,
      signal: request.signal,
    });
    const stored: StoredArtifact = {
      name: request.name,
      sha256,
      size_bytes: request.data.byteLength,
      media_type: request.mediaType,
      uri: store.uri(key),
    };
    artifacts.push({ ...stored, data: request.data, metadata: request.metadata });
    return stored;
  };

  const logger = (options.logger ?? pino({ level: "silent" })).child({ phase: name });
  const lineageEvents: OpenLineageRunEvent[] = [];
  const lineage = captureLineage(options.lineage, lineageEvents, logger);

  const controller = new AbortController();
  const onAbort = () =>
    controller.abort(new ExecutorKitError("cancelled", "the phase was cancelled"));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort, { once: true });

  try {
    const outcome = await executeAttempt({
      executor,
      info: {
        run_id: options.run?.run_id ?? crypto.randomUUID(),
        phase: name,
        kind: definition?.kind ?? "custom",
        spec_slug: options.run?.spec_slug ?? "test",
        git_sha: options.run?.git_sha ?? "0".repeat(40),
        environment: options.run?.environment ?? "dev",
        attempt: options.attempt ?? 1,
        input_manifest: options.run?.input_manifest ?? {},
        params: (options.params ?? {}) as JsonObject,
        upstream: options.upstream ?? {},
      },
      timeoutMs: options.timeoutMs ?? definition?.timeoutMs,
      signal: controller.signal,
      services: {
        logger,
        eventLevel: options.eventLevel ?? "debug",
        emit: (event) =>
          events.push({ phase: name, ...redactor.redact(event), ts: new Date().toISOString() }),
        redactor,
        storeArtifact,
        secrets: toSecretProvider(options.secrets ?? {}),
        adapters: (options.adapters ?? {}) as Adapters,
        progressIntervalMs: options.progressIntervalMs ?? 0,
        lineage: lineage?.emitter,
      },
    });
    await lineage?.done();
    const base = {
      outputManifest: outcome.output_manifest as Record<string, ManifestEntry>,
      events,
      logs: events.filter((event) => event.type === "LOG"),
      artifacts,
      artifactStore: store,
      lineage: lineageEvents,
    };
    if (outcome.status === "succeeded") {
      return {
        ...base,
        status: "succeeded",
        output: outcome.output as PhaseOutput<TPhases[TName]>,
        error: undefined,
        thrown: undefined,
      };
    }
    if (outcome.status === "failed") {
      return {
        ...base,
        status: "failed",
        output: undefined,
        error: outcome.error,
        thrown: outcome.cause,
      };
    }
    return {
      ...base,
      status: "cancelled",
      output: undefined,
      error: undefined,
      thrown: outcome.reason,
    };
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
}

function toSecretProvider(
  secrets: Readonly<Record<string, string>> | SecretProvider,
): SecretProvider {
  if (typeof (secrets as SecretProvider).get === "function") return secrets as SecretProvider;
  const map = secrets as Readonly<Record<string, string>>;
  return { get: async (name) => (Object.hasOwn(map, name) ? map[name] : undefined) };
}

/**
 * An emitter that records every event in `events` and passes it on to the emitter the
 * test asked for (made from options, or given), and how to finish with it.
 */
function captureLineage(
  option: RunPhaseOptions<unknown>["lineage"],
  events: OpenLineageRunEvent[],
  logger: Logger,
): { emitter: OpenLineageEmitter; done: () => Promise<void> } | undefined {
  if (option === undefined || option === false) return undefined;
  const owned = option !== true && !isOpenLineageEmitter(option);
  const inner =
    option === true
      ? undefined
      : isOpenLineageEmitter(option)
        ? option
        : createOpenLineageEmitter({ ...option, logger: option.logger ?? logger });
  const emitter: OpenLineageEmitter = {
    namespace: inner?.namespace ?? "controlroom",
    producer: inner?.producer ?? DEFAULT_OPENLINEAGE_PRODUCER,
    runningIntervalMs: inner?.runningIntervalMs ?? 0,
    emit(event) {
      events.push(event);
      inner?.emit(event);
    },
    flush: (timeoutMs) => inner?.flush(timeoutMs) ?? Promise.resolve(true),
    close: () => inner?.close() ?? Promise.resolve(),
    stats: () =>
      inner?.stats() ?? {
        emitted: events.length,
        sent: events.length,
        failed: 0,
        dropped: 0,
        pending: 0,
      },
  };
  return {
    emitter,
    done: async () => {
      if (owned) await inner?.close();
      else await inner?.flush();
    },
  };
}
