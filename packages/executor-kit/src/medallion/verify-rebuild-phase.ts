import { z } from "zod";
import type { PhaseContext } from "../context/phase-context.js";
import { NonRetryableError } from "../errors/non-retryable-error.js";
import type { Lakehouse } from "../ports/lakehouse.js";
import {
  differingRows,
  RecordedTableParams,
  type RowDifference,
  recordedHashFormat,
  tableHash,
} from "./audit-tables.js";
import { ModelTableOutput } from "./medallion-outputs.js";

/** Rows of each differing output shown, each way. */
const SAMPLE_ROWS = 10;

/** The params of a rebuild's `verify` phase (`RebuildVerifyParams` of `@controlroom/sdk`). */
export const VerifyRebuildParams = z.object({
  rebuild_of_run: z.string().min(1),
  outputs: z.array(RecordedTableParams).min(1),
});
export type VerifyRebuildParams = z.output<typeof VerifyRebuildParams>;

/** One output compared: recorded in the original manifest, stored (re-hashed), rebuilt. */
export const ComparedOutput = z.object({
  output: z.string(),
  location: z.string(),
  version: z.number().int(),
  recorded_sha256: z.string(),
  /** The stored original version, hashed again now; null when it cannot be read. */
  stored_sha256: z.string().nullable(),
  /** The rebuild's; null when the rebuild did not produce the output. */
  rebuilt_sha256: z.string().nullable(),
  rebuilt_location: z.string().nullable(),
  rebuilt_version: z.number().int().nullable(),
  recorded_rows: z.number().int().nullable(),
  stored_rows: z.number().int().nullable(),
  rebuilt_rows: z.number().int().nullable(),
  match: z.boolean(),
  /** What differs, in words, when something does. */
  problem: z.string().nullable(),
});
export type ComparedOutput = z.output<typeof ComparedOutput>;

/** The output of a rebuild's `verify` phase when everything matched. */
export const VerifyRebuildOutput = z.object({
  rebuild_of_run: z.string(),
  match: z.literal(true),
  outputs: z.array(ComparedOutput),
});
export type VerifyRebuildOutput = z.output<typeof VerifyRebuildOutput>;

/**
 * Verify: for every output the original run recorded (`silver.*`, `gold.*`), compares
 * the recorded content hash, the stored original version hashed again now (so a file
 * changed after the run is caught even when the rebuild is right) and the rebuild's.
 * Each comparison is a `REBUILD_OUTPUT_COMPARED` event; a mismatch carries a sample of
 * the rows that differ between the stored version and the rebuilt one, both ways.
 * Any mismatch fails the phase (not retryable) after a `REBUILD_VERIFIED` event.
 */
export async function runVerifyRebuild(
  lake: Lakehouse,
  ctx: PhaseContext<VerifyRebuildParams>,
): Promise<VerifyRebuildOutput> {
  const { signal } = ctx;
  const target = ctx.params.rebuild_of_run;
  const compared: ComparedOutput[] = [];
  for (const [index, output] of ctx.params.outputs.entries()) {
    const rebuilt = rebuiltTable(ctx.upstream, output.name);
    let stored: { sha256: string; rowCount: number } | undefined;
    let storedError: string | undefined;
    try {
      stored = await tableHash(
        lake,
        { location: output.location, version: output.version },
        signal,
        recordedHashFormat(output),
      );
    } catch (error) {
      signal.throwIfAborted();
      storedError = error instanceof Error ? error.message : String(error);
    }
    // The rebuild hashed its tables in today's format; an original recorded in another
    // (v1, before formats were named) is compared with the rebuild hashed its way.
    const rebuiltSha256 =
      rebuilt === undefined
        ? undefined
        : recordedHashFormat(rebuilt) === recordedHashFormat(output)
          ? rebuilt.sha256
          : (
              await tableHash(
                lake,
                { location: rebuilt.location, version: rebuilt.version },
                signal,
                recordedHashFormat(output),
              )
            ).sha256;
    const problems: string[] = [];
    if (stored === undefined) problems.push(`the stored version cannot be read: ${storedError}`);
    else if (stored.sha256 !== output.sha256) problems.push("stored ≠ recorded");
    if (rebuilt === undefined) problems.push("the rebuild did not produce it");
    else if (rebuiltSha256 !== output.sha256) problems.push("rebuilt ≠ recorded");
    const result: ComparedOutput = {
      output: output.name,
      location: output.location,
      version: output.version,
      recorded_sha256: output.sha256,
      stored_sha256: stored?.sha256 ?? null,
      rebuilt_sha256: rebuiltSha256 ?? null,
      rebuilt_location: rebuilt?.location ?? null,
      rebuilt_version: rebuilt?.version ?? null,
      recorded_rows: output.rows ?? null,
      stored_rows: stored?.rowCount ?? null,
      rebuilt_rows: rebuilt?.rows ?? null,
      match: problems.length === 0,
      problem: problems.length === 0 ? null : problems.join("; "),
    };
    let difference: RowDifference | undefined;
    if (!result.match && stored !== undefined && rebuilt !== undefined) {
      difference = await differingRows(
        lake,
        { location: output.location, version: output.version },
        { location: rebuilt.location, version: rebuilt.version },
        SAMPLE_ROWS,
        signal,
      );
    }
    ctx.emit("REBUILD_OUTPUT_COMPARED", {
      level: result.match ? "info" : "error",
      message: `${output.name} v${output.version}: ${result.match ? "match" : `MISMATCH (${result.problem})`}`,
      payload: { ...result, ...(difference === undefined ? {} : { differing_rows: difference }) },
    });
    compared.push(result);
    ctx.progress(
      (index + 1) / ctx.params.outputs.length,
      `${output.name}: ${result.match ? "match" : "mismatch"}`,
    );
  }
  const mismatched = compared.filter((c) => !c.match);
  ctx.emit("REBUILD_VERIFIED", {
    level: mismatched.length === 0 ? "info" : "error",
    message:
      mismatched.length === 0
        ? `all ${compared.length} outputs of run ${target} match`
        : `${mismatched.length} of ${compared.length} outputs of run ${target} do not match: ${mismatched.map((c) => c.output).join(", ")}`,
    payload: {
      rebuild_of_run: target,
      match: mismatched.length === 0,
      outputs: compared.length,
      mismatched: mismatched.map((c) => c.output),
    },
  });
  const first = mismatched[0];
  if (first !== undefined) {
    throw new NonRetryableError(
      `the rebuild of run ${target} does not match: ${first.output} version ${first.version} (${first.problem})${mismatched.length > 1 ? ` and ${mismatched.length - 1} more` : ""}`,
    );
  }
  return { rebuild_of_run: target, match: true, outputs: compared };
}

/** The rebuild's table for an output `layer.name`: the `layer` phase reported it under `tables`. */
function rebuiltTable(
  upstream: Readonly<Record<string, unknown>>,
  output: string,
): z.output<typeof ModelTableOutput> | undefined {
  const dot = output.indexOf(".");
  if (dot < 0) return undefined;
  const phaseOutput = upstream[output.slice(0, dot)] as { tables?: Record<string, unknown> } | null;
  const parsed = ModelTableOutput.safeParse(phaseOutput?.tables?.[output.slice(dot + 1)]);
  return parsed.success ? parsed.data : undefined;
}
