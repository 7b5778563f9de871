import { type EventLevel, EventTypeSchema, type JsonObject } from "@controlroom/contract";
import type { Logger } from "pino";
import type { Adapters } from "../context/adapters.js";
import type {
  LogFields,
  PhaseArtifacts,
  PhaseContext,
  PhaseEventFields,
  PhaseLogger,
  StoredArtifact,
} from "../context/phase-context.js";
import { ExecutorKitError } from "../errors/executor-kit-error.js";
import { NonRetryableError } from "../errors/non-retryable-error.js";
import type { OpenLineageEmitter } from "../lineage/openlineage-emitter.js";
import type { SecretProvider } from "../ports/secret-provider.js";
import type { ArtifactSink } from "./artifact-sink.js";
import type { AttemptInfo } from "./attempt-info.js";
import { type AttemptLineage, DISABLED_LINEAGE } from "./attempt-lineage.js";
import { ManifestBuilder } from "./manifest-builder.js";
import { levelAtLeast, type PhaseEventSink } from "./phase-event.js";
import { ProgressThrottle } from "./progress-throttle.js";
import type { Redactor } from "./redactor.js";
import { toBytes } from "./sha256.js";

/** What a phase context is built from. */
export interface PhaseContextServices {
  logger: Logger;
  /** LOG events below this level go to stderr only. */
  eventLevel: EventLevel;
  emit: PhaseEventSink;
  redactor: Redactor;
  storeArtifact: ArtifactSink | undefined;
  secrets: SecretProvider;
  adapters: Adapters;
  progressIntervalMs: number;
  /** Where the attempt's OpenLineage events go; none are built without one. */
  lineage?: OpenLineageEmitter | undefined;
}

/** A context and the handles its attempt needs afterwards. */
export interface BuiltPhaseContext<Params extends JsonObject> {
  context: PhaseContext<Params>;
  manifest: ManifestBuilder;
  progress: ProgressThrottle;
}

/** Builds the context one attempt of one phase runs with. */
export function createPhaseContext<Params extends JsonObject>(
  info: AttemptInfo,
  params: Params,
  signal: AbortSignal,
  services: PhaseContextServices,
  lineage?: AttemptLineage,
): BuiltPhaseContext<Params> {
  const { redactor, logger, emit } = services;
  const manifest = new ManifestBuilder();
  const progress = new ProgressThrottle(services.progressIntervalMs, (report) => {
    emit({
      type: "PHASE_PROGRESS",
      level: "info",
      message: redactor.redactString(report.message ?? ""),
      payload: redactor.redact({ ...report }),
    });
    lineage?.progress();
  });

  const logAt =
    (level: EventLevel) =>
    (message: string, fields: LogFields = {}): void => {
      const safeMessage = redactor.redactString(String(message));
      const safeFields = redactor.redact(toJsonFields(fields));
      logger[level](safeFields, safeMessage);
      if (levelAtLeast(level, services.eventLevel)) {
        emit({ type: "LOG", level, message: safeMessage, payload: safeFields });
      }
    };
  const log: PhaseLogger = {
    debug: logAt("debug"),
    info: logAt("info"),
    warn: logAt("warn"),
    error: logAt("error"),
  };

  const artifacts: PhaseArtifacts = {
    async put(name, data, mediaType, options = {}): Promise<StoredArtifact> {
      if (!services.storeArtifact) {
        throw new NonRetryableError(
          "ctx.artifacts.put(): this worker has no artifact store; pass `artifactStore` to runWorker()",
        );
      }
      signal.throwIfAborted();
      const stored = await services.storeArtifact({
        name,
        data: toBytes(data),
        mediaType,
        metadata: options.metadata ?? {},
        signal,
      });
      if (!options.excludeFromManifest) {
        manifest.declare(name, {
          kind: "artifact",
          sha256: stored.sha256,
          size_bytes: stored.size_bytes,
          media_type: stored.media_type,
          // No URI: it names where the store is mounted, and a rebuild elsewhere must
          // give the same manifest bytes. The content hash finds the bytes.
        });
      }
      return stored;
    },
  };

  const context: PhaseContext<Params> = Object.freeze({
    run_id: info.run_id,
    phase: info.phase,
    kind: info.kind,
    spec_slug: info.spec_slug,
    git_sha: info.git_sha,
    environment: info.environment,
    attempt: info.attempt,
    input_manifest: info.input_manifest,
    params,
    upstream: info.upstream,
    signal,
    log,
    progress: (fraction: number, message?: string) => progress.report(fraction, message),
    artifacts,
    emit(type: string, event: PhaseEventFields = {}) {
      if (!EventTypeSchema.safeParse(type).success) {
        throw new ExecutorKitError(
          "invalid_event",
          `ctx.emit(): event type "${type}" must be UPPER_SNAKE_CASE, at most 64 characters`,
        );
      }
      emit({
        type,
        level: event.level ?? "info",
        message: redactor.redactString(String(event.message ?? "")),
        payload: redactor.redact(toJsonFields(event.payload ?? {})),
      });
    },
    secrets: {
      async get(name: string): Promise<string> {
        const value = await services.secrets.get(name, { signal });
        if (value === undefined || value === "") {
          throw new NonRetryableError(`secret "${name}" is not set`);
        }
        // Registered before the phase sees it, so no log line can race the redaction.
        redactor.add(value);
        return value;
      },
    },
    manifest,
    lineage: lineage ?? DISABLED_LINEAGE,
    adapters: services.adapters,
  });
  return { context, manifest, progress };
}

/** Fields as JSON: errors become `{ name, message }`, bigints strings, functions dropped. */
function toJsonFields(fields: LogFields): JsonObject {
  try {
    return JSON.parse(
      JSON.stringify(fields, (_key, value: unknown) => {
        if (typeof value === "bigint") return value.toString();
        if (value instanceof Error) return { name: value.name, message: value.message };
        return value;
      }),
    ) as JsonObject;
  } catch {
    return { unserializable: true };
  }
}
