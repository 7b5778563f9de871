import { z } from "zod";
import { NonRetryableError } from "../errors/non-retryable-error.js";

const JsonObject = z.record(z.string(), z.unknown());

/** A table version a phase read or wrote. */
export const TableVersionOutput = z.object({
  location: z.string(),
  version: z.number().int().nonnegative(),
});

/** What ingest reports for one stream. */
export const IngestedStreamOutput = z.object({
  location: z.string(),
  /** The bronze version after this ingest; null when the table does not exist. */
  version: z.number().int().nonnegative().nullable(),
  /** Rows appended by this ingest. */
  rows: z.number().int().nonnegative(),
  /** The source position read from (exclusive); null on the first ingest. */
  previous_cursor: JsonObject.nullable(),
  /** The source position read up to (inclusive), pinned when the read began. */
  cursor: JsonObject.nullable(),
  status: z.enum(["ingested", "unchanged", "drift"]),
  /** Drift that stopped this stream's ingest, or was only reported. */
  drift: z
    .array(z.object({ kind: z.string(), action: z.string(), columns: z.array(z.string()) }))
    .default([]),
});

export const IngestOutput = z.object({ streams: z.record(z.string(), IngestedStreamOutput) });
export type IngestOutput = z.output<typeof IngestOutput>;

/** What validate checked, and the bronze versions it checked (silver reads exactly those). */
export const ValidateOutput = z.object({
  inputs: z.record(z.string(), TableVersionOutput),
  checks: z.record(
    z.string(),
    z.object({ severity: z.enum(["error", "warn"]), violations: z.number().int().nonnegative() }),
  ),
});
export type ValidateOutput = z.output<typeof ValidateOutput>;

/** A table a model phase wrote. */
export const ModelTableOutput = TableVersionOutput.extend({
  rows: z.number().int().nonnegative(),
  sha256: z.string(),
  /** The format of `sha256` (`TableContentHash.format`); absent: v1. */
  hash_format: z.string().optional(),
});

/** What silver and gold report: the tables they wrote and the versions they read. */
export const ModelOutput = z.object({
  inputs: z.record(z.string(), TableVersionOutput),
  tables: z.record(z.string(), ModelTableOutput),
});
export type ModelOutput = z.output<typeof ModelOutput>;

/**
 * The bronze versions pinned in a phase's `params.inputs` (a rebuild's validate, which
 * has no ingest upstream), in the shape ingest reports them; `undefined` without any.
 */
export function pinnedInputs(params: Readonly<Record<string, unknown>>): IngestOutput | undefined {
  if (params.inputs === undefined) return undefined;
  const parsed = z.record(z.string(), TableVersionOutput).safeParse(params.inputs);
  if (!parsed.success) {
    throw new NonRetryableError(
      `params.inputs must map each stream to { location, version }: ${parsed.error.issues[0]?.message ?? "invalid"}`,
    );
  }
  const streams: IngestOutput["streams"] = {};
  for (const [stream, ref] of Object.entries(parsed.data)) {
    streams[stream] = {
      ...ref,
      rows: 0,
      previous_cursor: null,
      cursor: null,
      status: "unchanged",
      drift: [],
    };
  }
  return { streams };
}

/**
 * The output of the upstream phase `name`, checked: a pipeline whose phases were
 * rearranged, or a hand-made run spec, fails with a clear message instead of reading
 * the wrong tables.
 */
export function upstreamOutput<T extends z.ZodType>(
  upstream: Readonly<Record<string, unknown>>,
  name: string,
  schema: T,
): z.output<T> {
  const parsed = schema.safeParse(upstream[name]);
  if (!parsed.success) {
    throw new NonRetryableError(
      `this phase needs the output of phase "${name}" (it must depend on it): ${parsed.error.issues[0]?.message ?? "missing"}`,
    );
  }
  return parsed.data;
}
