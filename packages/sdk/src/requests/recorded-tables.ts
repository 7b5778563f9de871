import type { Run } from "@controlroom/contract";
import { ControlRoomError } from "../errors/control-room-error.js";

/** A table version a run recorded in its output manifest. */
export interface RecordedTable {
  /** The manifest name, e.g. `silver.invoice` or `gold.ar_ageing`. */
  name: string;
  /** The table's root, relative to the lake (e.g. `gold/finance/ar_ageing`). */
  location: string;
  /** The version the run wrote. */
  version: number;
  /** The content hash the run recorded for that version. */
  sha256: string;
  /** The format of `sha256` as recorded; absent for hashes recorded before formats were named (v1). */
  hash_format?: string | undefined;
  /** Rows in that version, when recorded. */
  rows?: number | undefined;
}

/** A pinned table version a phase read. */
export interface PinnedTableVersion {
  location: string;
  version: number;
}

/** The layers a rollback restores and a rebuild compares: derived tables, never raw history. */
export const DERIVED_LAYERS = ["silver", "gold"] as const;

type ManifestEntry = Record<string, unknown>;

function phaseManifests(run: Run): [phase: string, entries: Record<string, ManifestEntry>][] {
  const phases = (run.output_manifest?.phases ?? {}) as Record<string, unknown>;
  const out: [string, Record<string, ManifestEntry>][] = [];
  // In the run's phase order, so the first phase that wrote a table names it.
  for (const phase of run.phases) {
    const entries = phases[phase.name];
    if (entries !== null && typeof entries === "object") {
      out.push([phase.name, entries as Record<string, ManifestEntry>]);
    }
  }
  return out;
}

function tableVersion(value: unknown): PinnedTableVersion | undefined {
  const entry = value as Partial<PinnedTableVersion> | null | undefined;
  if (typeof entry?.location !== "string") return undefined;
  if (typeof entry.version !== "number" || !Number.isInteger(entry.version) || entry.version < 0) {
    return undefined;
  }
  return { location: entry.location, version: entry.version };
}

/**
 * The `silver.*` and `gold.*` tables a succeeded run published, from its output
 * manifest: location, version and content hash, each name once (publish repeats the
 * gold entries). Throws a `validation_failed` {@link ControlRoomError} when the run has
 * not succeeded, since only a finished run's tables form a consistent state.
 *
 * @example
 * ```ts
 * const tables = recordedTables(await client.runs.get(runId));
 * ```
 */
export function recordedTables(run: Run): RecordedTable[] {
  if (run.status !== "succeeded" || run.output_manifest === null) {
    throw new ControlRoomError(
      "validation_failed",
      `run ${run.run_id} is ${run.status}: only a succeeded run's tables can be restored or rebuilt`,
    );
  }
  const tables = new Map<string, RecordedTable>();
  for (const [, entries] of phaseManifests(run)) {
    for (const [name, entry] of Object.entries(entries)) {
      const layer = name.split(".")[0] as string;
      if (!(DERIVED_LAYERS as readonly string[]).includes(layer) || !name.includes(".")) continue;
      if (entry.kind !== "table" || tables.has(name)) continue;
      const ref = tableVersion(entry);
      if (ref === undefined || typeof entry.sha256 !== "string") continue;
      tables.set(name, {
        name,
        ...ref,
        sha256: entry.sha256,
        ...(typeof entry.hash_format === "string" ? { hash_format: entry.hash_format } : {}),
        ...(typeof entry.rows === "number" ? { rows: entry.rows } : {}),
      });
    }
  }
  return [...tables.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The input table versions a run's first derived tables were computed from, by input
 * name (the bronze stream): the `inputs` its `silver.*` manifest entries recorded, or,
 * when none did, the `bronze.*` versions its ingest phases declared. A rebuild reads
 * exactly these.
 *
 * @example
 * ```ts
 * pinnedInputs(run); // { account_move: { location: "bronze/odoo/account_move", version: 3 }, … }
 * ```
 */
export function pinnedInputs(run: Run): Record<string, PinnedTableVersion> {
  const fromSilver: Record<string, PinnedTableVersion> = {};
  const fromIngest: Record<string, PinnedTableVersion> = {};
  const ingestPhases = new Set(run.phases.filter((p) => p.kind === "ingest").map((p) => p.name));
  for (const [phase, entries] of phaseManifests(run)) {
    for (const [name, entry] of Object.entries(entries)) {
      if (name.startsWith("silver.") && entry.inputs !== null && typeof entry.inputs === "object") {
        for (const [input, value] of Object.entries(entry.inputs as Record<string, unknown>)) {
          const ref = tableVersion(value);
          if (ref !== undefined) fromSilver[input] = ref;
        }
      }
      const ref = tableVersion(entry);
      if (ingestPhases.has(phase) && ref !== undefined && name.includes(".")) {
        fromIngest[name.slice(name.indexOf(".") + 1)] = ref;
      }
    }
  }
  return Object.keys(fromSilver).length > 0 ? fromSilver : fromIngest;
}
