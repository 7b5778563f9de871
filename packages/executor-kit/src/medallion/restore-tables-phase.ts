import { z } from "zod";
import type { PhaseContext } from "../context/phase-context.js";
import { NonRetryableError } from "../errors/non-retryable-error.js";
import type { Lakehouse } from "../ports/lakehouse.js";
import { RecordedTableParams, recordedHashFormat, tableHash, tableRows } from "./audit-tables.js";

/** The params of a rollback's `restore` phase (`RollbackParams` of `@controlroom/sdk`). */
export const RollbackPhaseParams = z.object({
  rollback_of_run: z.string().min(1),
  tables: z.array(RecordedTableParams).min(1),
  dry_run: z.boolean().default(false),
});
export type RollbackPhaseParams = z.output<typeof RollbackPhaseParams>;

/** What a rollback did (or, dry, would do) to one table. */
export const RolledBackTable = z.object({
  location: z.string(),
  /**
   * `restored`: a RESTORE commit made it read as the target version; `unchanged`: it
   * already did; `would_restore` / `would_keep`: the same, in a dry run.
   */
  status: z.enum(["restored", "unchanged", "would_restore", "would_keep"]),
  /** The latest version before the rollback. */
  from_version: z.number().int(),
  /** The version the target run wrote, restored. */
  to_version: z.number().int(),
  /** The latest version after it (the RESTORE commit's, or `from_version`). */
  version: z.number().int(),
  rows_before: z.number().int(),
  rows_after: z.number().int(),
  /** The content hash of the restored rows: the one the target run recorded. */
  sha256: z.string(),
});

/** The output of a rollback's `restore` phase. */
export const RollbackOutput = z.object({
  rollback_of_run: z.string(),
  dry_run: z.boolean(),
  tables: z.record(z.string(), RolledBackTable),
});
export type RollbackOutput = z.output<typeof RollbackOutput>;

/**
 * Restores each table the params name to the version the target run wrote, one atomic
 * commit per table (`Lakehouse.restore`), after checking that the stored version still
 * hashes to what that run recorded. A table already there is skipped, so a re-run
 * after a crash finishes the job. Events: `ROLLBACK_TABLE_RESTORED`,
 * `ROLLBACK_TABLE_SKIPPED` (or `ROLLBACK_TABLE_PLANNED` in a dry run) per table.
 */
export async function runRestoreTables(
  lake: Lakehouse,
  ctx: PhaseContext<RollbackPhaseParams>,
): Promise<RollbackOutput> {
  const { rollback_of_run: target, dry_run: dry } = ctx.params;
  const restore = lake.restore?.bind(lake);
  if (!dry && restore === undefined) {
    throw new NonRetryableError(
      `the ${lake.format} lakehouse cannot restore table versions (it has no restore())`,
    );
  }
  const tables: RollbackOutput["tables"] = {};
  for (const [index, table] of ctx.params.tables.entries()) {
    const { signal } = ctx;
    const current = await lake.snapshot({ location: table.location }, { signal });
    if (current === undefined) {
      throw new NonRetryableError(`${table.name}: there is no table at ${table.location}`);
    }
    const targetRef = { location: table.location, version: table.version };
    const targetSnapshot = await lake.snapshot(targetRef, { signal });
    if (targetSnapshot === undefined) {
      throw new NonRetryableError(`${table.name}: version ${table.version} is gone`);
    }
    // Never restore data that is not what the run recorded (a file changed since).
    // In the format the run recorded: a hash recorded before v2 is checked as v1.
    const hash = await tableHash(lake, targetRef, signal, recordedHashFormat(table));
    if (hash.sha256 !== table.sha256) {
      ctx.emit("ROLLBACK_TABLE_REFUSED", {
        level: "error",
        message: `${table.name}: version ${table.version} no longer hashes to what run ${target} recorded`,
        payload: {
          table: table.name,
          location: table.location,
          version: table.version,
          recorded_sha256: table.sha256,
          stored_sha256: hash.sha256,
        },
      });
      throw new NonRetryableError(
        `${table.name} version ${table.version} does not hash to what run ${target} recorded (stored ${hash.sha256.slice(0, 12)} ≠ recorded ${table.sha256.slice(0, 12)}): its data changed after it was written; \`controlroom rebuild ${target}\` shows the differing rows`,
      );
    }
    const rowsBefore = await tableRows(lake, { location: table.location }, current, signal);
    const same = sameFiles(current.files, targetSnapshot.files);
    const base = {
      location: table.location,
      from_version: current.version,
      to_version: table.version,
      rows_before: rowsBefore,
      rows_after: hash.rowCount,
      sha256: hash.sha256,
    };
    let entry: RollbackOutput["tables"][string];
    if (dry) {
      entry = { ...base, status: same ? "would_keep" : "would_restore", version: current.version };
      ctx.emit("ROLLBACK_TABLE_PLANNED", {
        message: `${table.name}: ${same ? `already reads as version ${table.version}` : `would restore version ${table.version} over ${current.version}`} (${rowsBefore} → ${hash.rowCount} rows)`,
        payload: { table: table.name, ...entry },
      });
    } else {
      const result = await restoreTable(restore as NonNullable<typeof restore>, table, ctx);
      entry = {
        ...base,
        from_version: result.previousVersion,
        status: result.committed ? "restored" : "unchanged",
        version: result.version,
      };
      ctx.emit(result.committed ? "ROLLBACK_TABLE_RESTORED" : "ROLLBACK_TABLE_SKIPPED", {
        message: result.committed
          ? `${table.name}: restored version ${table.version} as version ${result.version} (was ${result.previousVersion}; ${rowsBefore} → ${hash.rowCount} rows)`
          : `${table.name}: already reads as version ${table.version} (at version ${result.version})`,
        payload: {
          table: table.name,
          ...entry,
          files_added: result.filesAdded,
          files_removed: result.filesRemoved,
        },
      });
      // The state the rollback left, so the rollback run's manifest is a record too.
      ctx.manifest.declare(table.name, {
        kind: "table",
        format: lake.format,
        sha256: hash.sha256,
        hash_format: hash.format,
        location: table.location,
        version: result.version,
        rows: hash.rowCount,
        restored_version: table.version,
        rollback_of_run: target,
      });
    }
    tables[table.name] = entry;
    ctx.progress((index + 1) / ctx.params.tables.length, `${table.name}: ${entry.status}`);
  }
  return { rollback_of_run: target, dry_run: dry, tables };
}

async function restoreTable(
  restore: NonNullable<Lakehouse["restore"]>,
  table: RecordedTableParams,
  ctx: PhaseContext<RollbackPhaseParams>,
) {
  try {
    return await restore(table.location, {
      version: table.version,
      provenance: {
        run_id: ctx.run_id,
        phase: ctx.phase,
        git_sha: ctx.git_sha,
        attempt: ctx.attempt,
        rollback_of_run: ctx.params.rollback_of_run,
        restored_version: table.version,
      },
      signal: ctx.signal,
    });
  } catch (error) {
    // Files that are gone stay gone: retrying cannot help. A concurrent writer can: the
    // next attempt reads the table again.
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === "string" && code.endsWith("RESTORE_FILES_MISSING")) {
      throw new NonRetryableError(`${table.name}: ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }
}

function sameFiles(a: readonly { path: string }[], b: readonly { path: string }[]): boolean {
  if (a.length !== b.length) return false;
  const paths = new Set(a.map((file) => file.path));
  return b.every((file) => paths.has(file.path));
}
