import type { PhaseContext } from "../context/phase-context.js";
import type { AnyPhaseDefinition } from "../definition/phase.js";
import { datasetNameFromUri } from "../lineage/dataset-name-from-uri.js";
import { lakehouseDataset } from "../lineage/lakehouse-dataset.js";
import type { OpenLineageDataset } from "../lineage/openlineage-event.js";
import type { Lakehouse } from "../ports/lakehouse.js";
import { lakehouseOf, sourceOf } from "./medallion-adapters.js";
import type { MedallionConfig, MedallionSource } from "./medallion-config.js";
import type { MedallionLayout } from "./medallion-layout.js";
import { IngestOutput, ModelOutput, ValidateOutput } from "./medallion-outputs.js";

/** A table version as the phases' outputs name it. */
interface TableRef {
  location: string;
  version: number;
  rows?: number | undefined;
}

/** What one medallion phase reports: inputs before it runs, outputs (and late input facets) after. */
interface PhaseReporter {
  before?(ctx: PhaseContext, lake: Lakehouse): Promise<void>;
  after?(ctx: PhaseContext, lake: Lakehouse, output: unknown): Promise<void>;
}

/**
 * The medallion phases, each reporting to `ctx.lineage` the table versions it read and
 * wrote, from what the template already records: the inputs from its upstream phase's
 * output before it runs (so a FAIL names them too), its outputs from its own output
 * after. Only when the worker emits lineage; a failure to describe a dataset is logged
 * and never fails the phase.
 *
 * | phase | inputs | outputs |
 * | --- | --- | --- |
 * | ingest | each source stream (`source.datasetName()`, or the source's name and the stream), with its columns and rows read | the bronze tables it appended to |
 * | validate | the bronze versions ingest reported (and, after, those it checked) | — |
 * | silver | the bronze versions validate checked | the silver tables |
 * | gold | the silver versions | the gold tables |
 * | publish | the gold versions | — (its outputs are artifacts) |
 */
export function withMedallionLineage<P extends Record<string, AnyPhaseDefinition>>(
  config: MedallionConfig,
  layout: MedallionLayout,
  phases: P,
): P {
  const reporters = phaseReporters(config, layout);
  const wrapped: Record<string, AnyPhaseDefinition> = {};
  for (const [name, definition] of Object.entries(phases)) {
    const reporter = Object.hasOwn(reporters, name) ? reporters[name] : undefined;
    wrapped[name] = reporter
      ? Object.freeze({
          ...definition,
          async run(ctx: PhaseContext) {
            if (!ctx.lineage.enabled) return definition.run(ctx);
            // Without a lakehouse the phase fails with its own message; lineage stays quiet.
            const lake = lakehouseOrUndefined(config, ctx);
            if (lake) await guarded(ctx, async () => reporter.before?.(ctx, lake));
            const output = await definition.run(ctx);
            if (lake) await guarded(ctx, async () => reporter.after?.(ctx, lake, output));
            return output;
          },
        })
      : definition;
  }
  return wrapped as P;
}

function phaseReporters(
  config: MedallionConfig,
  layout: MedallionLayout,
): Record<string, PhaseReporter> {
  return {
    ingest: {
      async before(ctx) {
        const source = sourceOf(config, ctx);
        const schemas = await Promise.all(
          layout.streams.map((stream) =>
            source.tableSchema(stream.name, { signal: ctx.signal }).catch(() => undefined),
          ),
        );
        for (const [index, stream] of layout.streams.entries()) {
          const fields = schemas[index]?.fields;
          ctx.lineage.input({
            ...sourceDataset(source, stream.name),
            facets: {
              ...(fields
                ? { schema: { fields: fields.map(({ name, type }) => ({ name, type })) } }
                : {}),
              datasetType: { datasetType: "TABLE" },
            },
          });
        }
      },
      async after(ctx, lake, output) {
        const parsed = IngestOutput.safeParse(output);
        if (!parsed.success) return;
        const source = sourceOf(config, ctx);
        const written: TableRef[] = [];
        for (const stream of layout.streams) {
          const ingested = parsed.data.streams[stream.name];
          if (ingested?.status !== "ingested" || ingested.version === null) continue;
          ctx.lineage.input({
            ...sourceDataset(source, stream.name),
            inputFacets: { inputStatistics: { rowCount: ingested.rows } },
          });
          written.push({
            location: ingested.location,
            version: ingested.version,
            rows: ingested.rows,
          });
        }
        await reportTables(ctx, lake, "output", written);
      },
    },
    validate: {
      async before(ctx, lake) {
        const ingest = IngestOutput.safeParse(ctx.upstream.ingest);
        if (!ingest.success) return;
        const refs: TableRef[] = [];
        for (const stream of Object.values(ingest.data.streams)) {
          if (stream.version !== null)
            refs.push({ location: stream.location, version: stream.version });
        }
        await reportTables(ctx, lake, "input", refs);
      },
      // The versions it checked, whoever pinned them (ingest, or a rebuild's params).
      async after(ctx, lake, output) {
        const parsed = ValidateOutput.safeParse(output);
        if (parsed.success)
          await reportTables(ctx, lake, "input", Object.values(parsed.data.inputs));
      },
    },
    silver: {
      async before(ctx, lake) {
        const validated = ValidateOutput.safeParse(ctx.upstream.validate);
        if (validated.success) {
          await reportTables(ctx, lake, "input", Object.values(validated.data.inputs));
        }
      },
      after: reportModelTables,
    },
    gold: {
      async before(ctx, lake) {
        const silver = ModelOutput.safeParse(ctx.upstream.silver);
        if (silver.success)
          await reportTables(ctx, lake, "input", Object.values(silver.data.tables));
      },
      after: reportModelTables,
    },
    publish: {
      async before(ctx, lake) {
        const gold = ModelOutput.safeParse(ctx.upstream.gold);
        if (gold.success) await reportTables(ctx, lake, "input", Object.values(gold.data.tables));
      },
    },
  };
}

/** A source stream's dataset name: the source's own, or its name and the stream. */
function sourceDataset(
  source: MedallionSource,
  stream: string,
): { namespace: string; name: string } {
  return source.datasetName?.(stream) ?? { namespace: source.name, name: stream };
}

/** Silver and gold: the tables the phase wrote, with their row counts. */
async function reportModelTables(ctx: PhaseContext, lake: Lakehouse, output: unknown) {
  const parsed = ModelOutput.safeParse(output);
  if (parsed.success) await reportTables(ctx, lake, "output", Object.values(parsed.data.tables));
}

/** The table versions each attempt (its context) has reported. */
const reported = new WeakMap<PhaseContext, Set<string>>();

/**
 * Reports table versions as inputs or outputs (with `outputStatistics` for outputs),
 * in the order given; their schemas are read concurrently.
 */
async function reportTables(
  ctx: PhaseContext,
  lake: Lakehouse,
  kind: "input" | "output",
  tables: readonly TableRef[],
): Promise<void> {
  // A version already reported by this attempt is not read again.
  const seen = reported.get(ctx) ?? new Set<string>();
  reported.set(ctx, seen);
  const refs = tables.filter((ref) => {
    const key = `${kind} ${ref.location}@${ref.version}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const datasets = await Promise.all(refs.map((ref) => tableDataset(ctx, lake, ref)));
  for (const [index, dataset] of datasets.entries()) {
    const rows = refs[index]?.rows;
    if (kind === "input") ctx.lineage.input(dataset);
    else {
      ctx.lineage.output({
        ...dataset,
        ...(rows === undefined ? {} : { outputFacets: { outputStatistics: { rowCount: rows } } }),
      });
    }
  }
}

/** The table's dataset; without its schema when the snapshot cannot be read. */
async function tableDataset(
  ctx: PhaseContext,
  lake: Lakehouse,
  ref: TableRef,
): Promise<OpenLineageDataset> {
  const version = { location: ref.location, version: ref.version };
  try {
    return await lakehouseDataset(lake, version, { signal: ctx.signal });
  } catch (error) {
    ctx.log.warn("lineage: could not read a table's schema", {
      location: ref.location,
      version: ref.version,
      error,
    });
    return {
      ...datasetNameFromUri(lake.uri(ref.location)),
      facets: { version: { datasetVersion: String(ref.version) } },
    };
  }
}

function lakehouseOrUndefined(config: MedallionConfig, ctx: PhaseContext): Lakehouse | undefined {
  try {
    return lakehouseOf(config, ctx);
  } catch {
    return undefined;
  }
}

/** Runs lineage work; a failure is logged, never thrown (the phase decides its own fate). */
async function guarded<T>(ctx: PhaseContext, work: () => Promise<T>): Promise<T | undefined> {
  if (ctx.signal.aborted) return undefined;
  try {
    return await work();
  } catch (error) {
    if (!ctx.signal.aborted)
      ctx.log.warn("lineage: could not report the phase's datasets", { error });
    return undefined;
  }
}
