import type { Environment, EventLevel, JsonObject, PhaseKind } from "@controlroom/contract";
import type {
  OpenLineageInputDataset,
  OpenLineageOutputDataset,
} from "../lineage/openlineage-event.js";
import type { Adapters } from "./adapters.js";

/** Structured fields attached to a log line; JSON values only. */
export type LogFields = Record<string, unknown>;

/**
 * A phase's logger: each line goes to stderr as JSON (with run, phase and attempt)
 * and, at or above the worker's event level, into the run's events as a `LOG` event.
 * Secret values are redacted from both.
 *
 * @example
 * ```ts
 * ctx.log.info("loaded rows", { table: "orders", rows: 1200 });
 * ```
 */
export interface PhaseLogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** What {@link PhaseContext.emit} sends besides the type. */
export interface PhaseEventFields {
  /** @default "info" */
  level?: EventLevel | undefined;
  /** @default "" */
  message?: string | undefined;
  /** JSON fields; bigints become strings, errors `{ name, message }`. @default {} */
  payload?: Record<string, unknown> | undefined;
}

/** An artifact a phase stored, as `ctx.artifacts.put()` returns it. */
export interface StoredArtifact {
  /** The name it is linked under in this run and phase. */
  name: string;
  /** SHA-256 of the bytes, 64 lowercase hex characters. */
  sha256: string;
  size_bytes: number;
  media_type: string;
  /** Where the bytes live (`file://`, `s3://`, `memory://`). */
  uri: string;
}

/** Options of {@link PhaseArtifacts.put}. */
export interface ArtifactPutOptions {
  /**
   * Free-form JSON stored with the artifact.
   * @default {}
   */
  metadata?: JsonObject | undefined;
  /**
   * Leave the artifact out of the phase's output manifest (a debug dump, a preview).
   * @default false
   */
  excludeFromManifest?: boolean | undefined;
}

/**
 * Content-addressed artifacts: bytes are stored once under their SHA-256, registered
 * with the control plane and linked to this run and phase under a name.
 *
 * @example
 * ```ts
 * const report = await ctx.artifacts.put("report.json", JSON.stringify(totals), "application/json");
 * ctx.log.info("report stored", { sha256: report.sha256 });
 * ```
 */
export interface PhaseArtifacts {
  /**
   * Stores `data` (strings are UTF-8 encoded), registers it and links it as `name`.
   * It is added to the output manifest under `name` unless told otherwise.
   */
  put(
    name: string,
    data: Uint8Array | string,
    mediaType: string,
    options?: ArtifactPutOptions,
  ): Promise<StoredArtifact>;
}

/**
 * Secrets from the worker's provider (the environment by default). Every value read
 * is redacted from events, logs and errors from then on.
 *
 * @example
 * ```ts
 * const password = await ctx.secrets.get("ODOO_DB_PASSWORD");
 * ```
 */
export interface PhaseSecrets {
  /** The secret's value; throws a NonRetryableError when the provider has none. */
  get(name: string): Promise<string>;
}

/**
 * One entry of an output manifest: an output identified by its content hash, so that
 * a rebuild from the same git sha and input manifest can be checked byte for byte.
 */
export interface ManifestEntry {
  /** SHA-256 of the output (of the bytes, or of a table version's canonical log). */
  sha256: string;
  /** What the output is, e.g. `"artifact"`, `"delta-table"`. */
  kind?: string | undefined;
  size_bytes?: number | undefined;
  media_type?: string | undefined;
  uri?: string | undefined;
  /** More JSON about the output (a table version, a row count). */
  [key: string]: unknown;
}

/**
 * The phase's output manifest: what it produced, by content hash. Artifacts stored
 * with `ctx.artifacts.put()` are added for you; declare tables and other outputs here.
 *
 * @example
 * ```ts
 * ctx.manifest.declare("bronze.sale_order", { kind: "delta-table", sha256: logHash, version: 7 });
 * ```
 */
export interface OutputManifestBuilder {
  /** Adds (or replaces) the output called `name`. */
  declare(name: string, entry: ManifestEntry): void;
  /** The manifest so far, name → entry. */
  toJSON(): Record<string, ManifestEntry>;
}

/**
 * The datasets a phase read and wrote, for its OpenLineage events (`runWorker({ lineage
 * })`). What is reported goes into the attempt's RUNNING, COMPLETE and FAIL events;
 * a dataset reported twice (same namespace and name) is merged, facets of the later
 * report winning. Standard facets get `_producer` and `_schemaURL` filled in. Without
 * lineage configured every call is a no-op; check `enabled` before work that only
 * lineage needs (reading a schema). Nothing here throws: a malformed dataset is logged
 * and left out.
 *
 * @example
 * ```ts
 * ctx.lineage.input({ namespace: "postgres://db:5432", name: "shop.public.orders" });
 * ctx.lineage.output({
 *   namespace: "s3://lake",
 *   name: "silver/orders",
 *   facets: { version: { datasetVersion: "7" } },
 *   outputFacets: { outputStatistics: { rowCount: 1200 } },
 * });
 * ```
 */
export interface PhaseLineage {
  /** True when the worker emits OpenLineage events. */
  readonly enabled: boolean;
  /** Reports a dataset the phase read. */
  input(dataset: OpenLineageInputDataset): void;
  /** Reports a dataset the phase wrote. */
  output(dataset: OpenLineageOutputDataset): void;
}

/**
 * Everything a phase's `run` receives: the run it belongs to, its typed params, the
 * outputs of the phases it depends on, an abort signal, logging, progress, artifacts,
 * secrets, its output manifest and the worker's adapters.
 *
 * `signal` aborts when the lease is lost, the run is cancelled, the phase times out or
 * the worker shuts down; pass it to every call that takes one and stop promptly.
 *
 * @example
 * ```ts
 * const greet = phase({
 *   input: z.object({ name: z.string() }),
 *   async run(ctx) {
 *     ctx.progress(0.5, "halfway");
 *     ctx.log.info("greeting", { name: ctx.params.name, attempt: ctx.attempt });
 *     return { greeting: `hello ${ctx.params.name}` };
 *   },
 * });
 * ```
 */
export interface PhaseContext<Params extends JsonObject = JsonObject> {
  readonly run_id: string;
  /** This phase's name. */
  readonly phase: string;
  readonly kind: PhaseKind;
  readonly spec_slug: string;
  readonly git_sha: string;
  readonly environment: Environment;
  /** 1-based; greater than 1 on retries. */
  readonly attempt: number;
  readonly input_manifest: JsonObject;
  /** The phase's params, parsed by its `input` schema. */
  readonly params: Params;
  /** The outputs of the phases this one depends on, by phase name. */
  readonly upstream: Readonly<Record<string, JsonObject | null>>;
  readonly signal: AbortSignal;
  readonly log: PhaseLogger;
  /**
   * Reports how far the phase has got (`fraction` in [0, 1]). Sent as a
   * `PHASE_PROGRESS` event at most once per interval (the latest wins) and with the
   * next heartbeat.
   */
  progress(fraction: number, message?: string): void;
  readonly artifacts: PhaseArtifacts;
  readonly secrets: PhaseSecrets;
  /**
   * Adds an event of the executor's own type (UPPER_SNAKE_CASE, e.g.
   * `SOURCE_FRESHNESS`) to the run's trail, batched with the phase's other events.
   * Secret values are redacted from its message and payload.
   */
  emit(type: string, event?: PhaseEventFields): void;
  readonly manifest: OutputManifestBuilder;
  /** What the phase read and wrote, for OpenLineage; a no-op unless the worker emits lineage. */
  readonly lineage: PhaseLineage;
  readonly adapters: Adapters;
}
