import type { Logger } from "pino";
import type { PhaseLineage } from "../context/phase-context.js";
import type { OpenLineageEmitter } from "../lineage/openlineage-emitter.js";
import {
  OPENLINEAGE_RUN_EVENT_SCHEMA_URL,
  type OpenLineageDataset,
  type OpenLineageEventType,
  type OpenLineageFacets,
  type OpenLineageInputDataset,
  type OpenLineageOutputDataset,
  type OpenLineageRunEvent,
} from "../lineage/openlineage-event.js";
import { completeFacets } from "../lineage/openlineage-facets.js";
import { phaseRunId } from "../lineage/phase-run-id.js";
import type { AttemptInfo } from "./attempt-info.js";
import type { AttemptOutcome } from "./execute-attempt.js";
import { EXECUTOR_KIT_VERSION } from "./kit-version.js";
import { controlRoomJobFacets, runTags, toRunUuid } from "./lineage-common.js";
import type { Redactor } from "./redactor.js";

/** A reported dataset, input or output. */
type AnyDataset = OpenLineageInputDataset & OpenLineageOutputDataset;

/** A context's lineage when the worker emits none: every call does nothing. */
export const DISABLED_LINEAGE: PhaseLineage = Object.freeze({
  enabled: false,
  input() {},
  output() {},
});

/**
 * The OpenLineage side of one attempt: START when it begins, RUNNING on progress (at
 * most once per the emitter's interval), then COMPLETE, FAIL (with `errorMessage`) or
 * ABORT (lease lost, run cancelled), each with the datasets the phase reported so far.
 * It is the attempt's `ctx.lineage`. Nothing it does can fail the phase.
 */
export class AttemptLineage implements PhaseLineage {
  readonly enabled = true;
  readonly #emitter: OpenLineageEmitter;
  readonly #info: AttemptInfo;
  readonly #executor: { id: string; version: string };
  readonly #redactor: Redactor;
  readonly #logger: Logger;
  readonly #runId: string;
  readonly #parentRunId: string;
  readonly #inputs = new Map<string, AnyDataset>();
  readonly #outputs = new Map<string, AnyDataset>();
  #lastRunningAt = Number.NEGATIVE_INFINITY;
  #ended = false;

  constructor(options: {
    emitter: OpenLineageEmitter;
    info: AttemptInfo;
    executor: { id: string; version: string };
    redactor: Redactor;
    logger: Logger;
  }) {
    this.#emitter = options.emitter;
    this.#info = options.info;
    this.#executor = options.executor;
    this.#redactor = options.redactor;
    this.#logger = options.logger;
    this.#parentRunId = toRunUuid(options.info.run_id);
    this.#runId = phaseRunId(this.#parentRunId, options.info.phase, options.info.attempt);
  }

  start(): void {
    this.#lastRunningAt = Date.now();
    this.#send("START", {});
  }

  /** A progress report: a RUNNING event unless one went out within the interval. */
  progress(): void {
    if (this.#ended) return;
    const now = Date.now();
    if (now - this.#lastRunningAt < this.#emitter.runningIntervalMs) return;
    this.#lastRunningAt = now;
    this.#send("RUNNING", {});
  }

  end(outcome: AttemptOutcome): void {
    if (this.#ended) return;
    this.#ended = true;
    if (outcome.status === "succeeded") {
      this.#send("COMPLETE", {});
      return;
    }
    const failed = outcome.status === "failed";
    const message = failed ? outcome.error.message : outcome.reason.message;
    const cause = failed ? outcome.cause : outcome.reason;
    const stack = cause instanceof Error ? cause.stack : undefined;
    const extraTags = failed
      ? [
          ...(outcome.error.code ? [{ key: "error_code", value: outcome.error.code }] : []),
          { key: "retryable", value: String(outcome.error.retryable ?? true) },
        ]
      : [{ key: "abort_reason", value: outcome.reason.code }];
    this.#send(failed ? "FAIL" : "ABORT", {
      errorMessage: {
        message,
        programmingLanguage: "JavaScript",
        ...(stack ? { stackTrace: stack } : {}),
      },
      tags: { tags: extraTags },
    });
  }

  input(dataset: OpenLineageInputDataset): void {
    this.#report("input", dataset, this.#inputs);
  }

  output(dataset: OpenLineageOutputDataset): void {
    this.#report("output", dataset, this.#outputs);
  }

  #report(kind: "input" | "output", dataset: AnyDataset, into: Map<string, AnyDataset>): void {
    const { namespace, name } = (dataset ?? {}) as Partial<OpenLineageDataset>;
    if (
      typeof namespace !== "string" ||
      namespace === "" ||
      typeof name !== "string" ||
      name === ""
    ) {
      this.#logger.warn(
        { kind },
        `ctx.lineage.${kind}(): a dataset needs a namespace and a name; left out`,
      );
      return;
    }
    const own = kind === "input" ? "inputFacets" : "outputFacets";
    const producer = this.#emitter.producer;
    const facets = completeFacets("dataset", dataset.facets, producer);
    const ownFacets = completeFacets(kind, dataset[own], producer);
    const dropped = [...facets.dropped, ...ownFacets.dropped];
    if (dropped.length > 0) {
      this.#logger.warn(
        { dataset: `${namespace}/${name}`, facets: dropped },
        `ctx.lineage.${kind}(): facets that are not standard need a _schemaURL; left out`,
      );
    }
    // Reported twice: one dataset, the later facets winning.
    const key = JSON.stringify([namespace, name]);
    const previous = into.get(key);
    const merged = { ...previous?.facets, ...facets.facets };
    const mergedOwn = { ...previous?.[own], ...ownFacets.facets };
    into.set(key, {
      namespace,
      name,
      ...(Object.keys(merged).length > 0 ? { facets: merged } : {}),
      ...(Object.keys(mergedOwn).length > 0 ? { [own]: mergedOwn } : {}),
    });
  }

  #send(eventType: OpenLineageEventType, extra: OpenLineageFacets): void {
    try {
      const info = this.#info;
      const namespace = this.#emitter.namespace;
      const extraTags = (extra.tags?.tags as { key: string; value: string }[] | undefined) ?? [];
      const { facets: runFacets } = completeFacets(
        "run",
        {
          parent: {
            run: { runId: this.#parentRunId },
            job: { namespace, name: info.spec_slug },
            root: {
              run: { runId: this.#parentRunId },
              job: { namespace, name: info.spec_slug },
            },
          },
          processing_engine: { name: "controlroom-executor-kit", version: EXECUTOR_KIT_VERSION },
          tags: {
            tags: [
              ...runTags(info),
              { key: "phase_kind", value: info.kind, source: "CONTROLROOM" },
              { key: "attempt", value: String(info.attempt), source: "CONTROLROOM" },
              {
                key: "executor",
                value: `${this.#executor.id}@${this.#executor.version}`,
                source: "CONTROLROOM",
              },
              ...extraTags.map((tag) => ({ ...tag, source: "CONTROLROOM" })),
            ],
          },
          ...(extra.errorMessage ? { errorMessage: extra.errorMessage } : {}),
        },
        this.#emitter.producer,
      );
      const event: OpenLineageRunEvent = {
        eventType,
        eventTime: new Date().toISOString(),
        producer: this.#emitter.producer,
        schemaURL: OPENLINEAGE_RUN_EVENT_SCHEMA_URL,
        run: { runId: this.#runId, ...(runFacets ? { facets: runFacets } : {}) },
        job: {
          namespace,
          name: `${info.spec_slug}.${info.phase}`,
          facets: controlRoomJobFacets("TASK", this.#emitter.producer),
        },
        inputs: [...this.#inputs.values()],
        outputs: [...this.#outputs.values()],
      };
      // A secret can reach a dataset name or an error message like any other string.
      // A JSON copy: later changes to a reported facet cannot alter a queued event.
      const json = JSON.parse(JSON.stringify(event)) as OpenLineageRunEvent;
      this.#emitter.emit(this.#redactor.redact(json));
    } catch (error) {
      this.#logger.warn(
        { err: this.#redactor.redactString(String((error as Error)?.message ?? error)) },
        `could not build the OpenLineage ${eventType} event`,
      );
    }
  }
}
