/** The OpenLineage spec version the kit's events follow. */
export const OPENLINEAGE_SPEC_VERSION = "2-0-2";

/** The `schemaURL` of every run event the kit emits. */
export const OPENLINEAGE_RUN_EVENT_SCHEMA_URL = `https://openlineage.io/spec/${OPENLINEAGE_SPEC_VERSION}/OpenLineage.json#/$defs/RunEvent`;

/** A run's transition: one START, then RUNNING any number of times, then one of COMPLETE, FAIL, ABORT. */
export type OpenLineageEventType = "START" | "RUNNING" | "COMPLETE" | "ABORT" | "FAIL" | "OTHER";

/**
 * A facet: JSON whose `_producer` and `_schemaURL` say who wrote it and which schema it
 * follows. The kit fills both in for the standard facets it knows (`schema`,
 * `version`, `outputStatistics`…); a custom facet must carry its own `_schemaURL`.
 */
export interface OpenLineageFacet {
  _producer?: string | undefined;
  _schemaURL?: string | undefined;
  [field: string]: unknown;
}

/** Facets by name. */
export type OpenLineageFacets = Record<string, OpenLineageFacet>;

/**
 * A dataset, named by OpenLineage's naming conventions: `namespace` is the data source
 * (`s3://bucket`, `file`, `postgres://host:5432`) and `name` the dataset within it (an
 * object key or path, `database.schema.table`).
 */
export interface OpenLineageDataset {
  namespace: string;
  name: string;
  /** Dataset facets: `schema`, `version`, `storage`, `dataSource`… */
  facets?: OpenLineageFacets | undefined;
}

/** A dataset a run read. */
export interface OpenLineageInputDataset extends OpenLineageDataset {
  /** Facets about this read, e.g. `inputStatistics`. */
  inputFacets?: OpenLineageFacets | undefined;
}

/** A dataset a run wrote. */
export interface OpenLineageOutputDataset extends OpenLineageDataset {
  /** Facets about this write, e.g. `outputStatistics` (`rowCount`). */
  outputFacets?: OpenLineageFacets | undefined;
}

/**
 * An OpenLineage `RunEvent` (spec 2-0-2): a transition of one run of one job, with the
 * datasets it read and wrote so far.
 *
 * @example
 * ```ts
 * const event: OpenLineageRunEvent = {
 *   eventType: "START",
 *   eventTime: new Date().toISOString(),
 *   producer: "https://controlroom.dev/executor-kit/0.1.0",
 *   schemaURL: OPENLINEAGE_RUN_EVENT_SCHEMA_URL,
 *   run: { runId: crypto.randomUUID() },
 *   job: { namespace: "controlroom", name: "odoo-finance.ingest" },
 *   inputs: [],
 *   outputs: [],
 * };
 * ```
 */
export interface OpenLineageRunEvent {
  eventType: OpenLineageEventType;
  /** ISO-8601 with a time zone. */
  eventTime: string;
  /** A URI naming what produced the event. */
  producer: string;
  schemaURL: string;
  run: { runId: string; facets?: OpenLineageFacets | undefined };
  job: { namespace: string; name: string; facets?: OpenLineageFacets | undefined };
  inputs: OpenLineageInputDataset[];
  outputs: OpenLineageOutputDataset[];
}
