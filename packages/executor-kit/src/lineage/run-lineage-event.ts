import type { RunStatus } from "@controlroom/contract";
import { EXECUTOR_KIT_VERSION } from "../internal/kit-version.js";
import { controlRoomJobFacets, runTags, toRunUuid } from "../internal/lineage-common.js";
import { DEFAULT_OPENLINEAGE_PRODUCER } from "./openlineage-emitter.js";
import {
  OPENLINEAGE_RUN_EVENT_SCHEMA_URL,
  type OpenLineageEventType,
  type OpenLineageRunEvent,
} from "./openlineage-event.js";
import { completeFacets } from "./openlineage-facets.js";

/** Options of {@link runLineageEvent}. */
export interface RunLineageEventOptions {
  /** START when the run is created or starts, COMPLETE/FAIL/ABORT when it ends. */
  eventType: OpenLineageEventType;
  /** The Control Room run (a `Run` from the SDK will do). */
  run: {
    run_id: string;
    spec_slug: string;
    git_sha?: string | undefined;
    environment?: string | undefined;
  };
  /**
   * The job namespace; use the emitter's (`emitter.namespace`) so phases point at this run.
   * @default "controlroom"
   */
  namespace?: string | undefined;
  /** @default "https://controlroom.dev/executor-kit/<version>" (use `emitter.producer`) */
  producer?: string | undefined;
  /** Why the run failed or was aborted (the `errorMessage` facet). @default undefined */
  errorMessage?: string | undefined;
  /** @default now */
  eventTime?: Date | undefined;
}

/**
 * The OpenLineage event of a whole Control Room run: job `<spec_slug>` in the
 * namespace, `runId` the run's id (a UUIDv7). Every phase event names this run and job
 * in its `parent` facet. The worker only sees phases, so whoever drives the run (the
 * code that creates it and waits for it, like `controlroom demo`) emits these.
 *
 * @example
 * ```ts
 * const run = await client.runs.create({ spec_slug: "shop", git_sha, environment: "dev", phases, input_manifest: {} });
 * lineage.emit(runLineageEvent({ eventType: "START", run, namespace: lineage.namespace, producer: lineage.producer }));
 * // … the run ends …
 * const done = await client.runs.get(run.run_id);
 * lineage.emit(runLineageEvent({ eventType: runStatusLineageEventType(done.status), run: done, namespace: lineage.namespace, producer: lineage.producer }));
 * ```
 */
export function runLineageEvent(options: RunLineageEventOptions): OpenLineageRunEvent {
  const producer = options.producer ?? DEFAULT_OPENLINEAGE_PRODUCER;
  const tags = runTags(options.run);
  const { facets } = completeFacets(
    "run",
    {
      processing_engine: { name: "controlroom-executor-kit", version: EXECUTOR_KIT_VERSION },
      ...(tags.length > 0 ? { tags: { tags } } : {}),
      ...(options.errorMessage === undefined
        ? {}
        : { errorMessage: { message: options.errorMessage, programmingLanguage: "JavaScript" } }),
    },
    producer,
  );
  return {
    eventType: options.eventType,
    eventTime: (options.eventTime ?? new Date()).toISOString(),
    producer,
    schemaURL: OPENLINEAGE_RUN_EVENT_SCHEMA_URL,
    run: { runId: toRunUuid(options.run.run_id), ...(facets ? { facets } : {}) },
    job: {
      namespace: options.namespace ?? "controlroom",
      name: options.run.spec_slug,
      facets: controlRoomJobFacets("DAG", producer),
    },
    inputs: [],
    outputs: [],
  };
}

/**
 * The event type for a run's status: `succeeded` → COMPLETE, `failed` → FAIL,
 * `cancelled` → ABORT, `queued`/`running` → RUNNING.
 */
export function runStatusLineageEventType(status: RunStatus): OpenLineageEventType {
  switch (status) {
    case "succeeded":
      return "COMPLETE";
    case "failed":
      return "FAIL";
    case "cancelled":
      return "ABORT";
    default:
      return "RUNNING";
  }
}
