import { ExecutorKitError } from "../errors/executor-kit-error.js";
import type {
  MedallionCheck,
  MedallionConfig,
  MedallionDriftAction,
  MedallionModel,
  MedallionStream,
} from "./medallion-config.js";

/** The audit columns every bronze row carries besides the source's own. */
export const BRONZE_AUDIT_COLUMNS = ["_ingested_at", "_cursor", "_run_id"] as const;

/** Audit columns that differ on every run by design, so content hashes leave them out. */
export const VOLATILE_AUDIT_COLUMNS = ["_ingested_at", "_run_id"] as const;

/** A configuration with its defaults filled in and its names checked. */
export interface MedallionLayout {
  id: string;
  version: string;
  capability: string;
  locations: { bronze: string; silver: string; gold: string };
  streams: readonly MedallionStream[];
  checks: readonly MedallionCheck[];
  silver: readonly MedallionModel[];
  gold: readonly MedallionModel[];
  previewRows: number;
  drift: Record<"added" | "removed" | "retyped", MedallionDriftAction>;
  freshnessWarnAfterMs: number | undefined;
  batchSize: number;
  modelConcurrency: number;
  timeoutMs: number;
}

const SNAKE = /^[a-z][a-z0-9_]{0,62}$/;

/** Fills in defaults and rejects names that would collide or not work as SQL identifiers. */
export function resolveMedallionLayout(config: MedallionConfig): MedallionLayout {
  const where = `defineMedallionExecutor("${config.id}")`;
  const fail = (message: string): never => {
    throw new ExecutorKitError("invalid_definition", `${where}: ${message}`);
  };
  if (!SNAKE.test(config.id.replaceAll("-", "_"))) fail("`id` must be a short lowercase name");
  const names = (kind: string, list: readonly { name: string }[]) => {
    const seen = new Set<string>();
    for (const { name } of list) {
      if (!SNAKE.test(name)) fail(`${kind} name "${name}" must match ${SNAKE.source}`);
      if (seen.has(name)) fail(`${kind} name "${name}" is used twice`);
      seen.add(name);
    }
  };
  names("stream", config.streams);
  names("check", config.checks ?? []);
  names("silver table", config.silver);
  names("gold table", config.gold);
  if (config.streams.length === 0) fail("define at least one stream");
  if (config.gold.length === 0) fail("define at least one gold table");
  for (const stream of config.streams) {
    if (stream.primaryKey.length === 0) fail(`stream "${stream.name}" needs a primaryKey`);
    if (stream.cursorFields.length === 0) fail(`stream "${stream.name}" needs cursorFields`);
  }
  const previewRows = config.previewRows ?? 100;
  if (!Number.isInteger(previewRows) || previewRows < 0) fail("previewRows must be an integer ≥ 0");
  const batchSize = config.batchSize ?? 10_000;
  if (!Number.isInteger(batchSize) || batchSize < 1) fail("batchSize must be a positive integer");
  const modelConcurrency = config.modelConcurrency ?? 2;
  if (!Number.isInteger(modelConcurrency) || modelConcurrency < 1) {
    fail("modelConcurrency must be a positive integer");
  }
  const prefix = (layer: "bronze" | "silver" | "gold") =>
    (config.locations?.[layer] ?? `${layer}/${config.id}`).replace(/\/+$/, "");
  return {
    id: config.id,
    version: config.version,
    capability: config.capability ?? config.id,
    locations: { bronze: prefix("bronze"), silver: prefix("silver"), gold: prefix("gold") },
    streams: config.streams,
    checks: config.checks ?? [],
    silver: config.silver,
    gold: config.gold,
    previewRows,
    drift: {
      added: config.drift?.added ?? "warn",
      removed: config.drift?.removed ?? "fail",
      retyped: config.drift?.retyped ?? "fail",
    },
    freshnessWarnAfterMs: config.freshnessWarnAfterMs,
    batchSize,
    modelConcurrency,
    timeoutMs: config.timeoutMs ?? 3_600_000,
  };
}

/** Where a layer's table lives. */
export function tableLocation(
  layout: MedallionLayout,
  layer: "bronze" | "silver" | "gold",
  name: string,
): string {
  return `${layout.locations[layer]}/${name}`;
}
