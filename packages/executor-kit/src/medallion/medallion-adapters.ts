import type { PhaseContext } from "../context/phase-context.js";
import { NonRetryableError } from "../errors/non-retryable-error.js";
import type { Lakehouse } from "../ports/lakehouse.js";
import type { MedallionConfig, MedallionSource } from "./medallion-config.js";

/** The lakehouse a phase uses: from the configuration's resolver, else `ctx.adapters.lakehouse`. */
export function lakehouseOf(
  config: Pick<MedallionConfig, "adapters">,
  ctx: PhaseContext,
): Lakehouse {
  const lakehouse = config.adapters?.lakehouse?.(ctx) ?? ctx.adapters.lakehouse;
  if (!isLakehouse(lakehouse)) {
    throw new NonRetryableError(
      "the medallion phases need a Lakehouse: pass `adapters: { lakehouse }` to the worker (e.g. createDeltaLakehouse from @controlroom/adapters/delta)",
    );
  }
  return lakehouse;
}

/** The source ingest reads: from the configuration's resolver, else `ctx.adapters.source`. */
export function sourceOf(config: MedallionConfig, ctx: PhaseContext): MedallionSource {
  const source = config.adapters?.source?.(ctx) ?? ctx.adapters.source;
  if (!isSource(source)) {
    throw new NonRetryableError(
      "the ingest phase needs a source with read(), highWaterMark() and tableSchema(): pass `adapters: { source }` to the worker (e.g. createPostgresSource from @controlroom/adapters/postgres)",
    );
  }
  return source;
}

function isLakehouse(value: unknown): value is Lakehouse {
  const candidate = value as Partial<Lakehouse> | undefined;
  return (
    typeof candidate?.session === "function" &&
    typeof candidate.appendRows === "function" &&
    typeof candidate.contentHash === "function"
  );
}

function isSource(value: unknown): value is MedallionSource {
  const candidate = value as Partial<MedallionSource> | undefined;
  return (
    typeof candidate?.read === "function" &&
    typeof candidate.highWaterMark === "function" &&
    typeof candidate.tableSchema === "function"
  );
}
