import type { CreateRunRequest, Environment, Run } from "@controlroom/contract";
import type { CallOptions } from "../client-options.js";
import type { ControlRoomClient } from "../control-room-client.js";
import { ControlRoomError } from "../errors/control-room-error.js";
import { type RecordedTable, recordedTables } from "./recorded-tables.js";

/** The spec slug of rollback runs. */
export const ROLLBACK_SPEC_SLUG = "controlroom/rollback";
/** The capability a worker declares to execute rollback runs (`defineRollbackExecutor()`). */
export const ROLLBACK_CAPABILITY = "controlroom-rollback";
/** The name of a rollback run's one phase. */
export const ROLLBACK_PHASE = "restore";

/** The params of a rollback run's `restore` phase: everything it needs, from the run's record. */
export interface RollbackParams {
  /** The run whose tables are restored. */
  rollback_of_run: string;
  /** Each table, at the version that run wrote (with its recorded hash and rows). */
  tables: RecordedTable[];
  /** Report what would change, change nothing. */
  dry_run: boolean;
}

/** Options of {@link rollbackRunRequest} and {@link requestRollback}. */
export interface RollbackRequestOptions {
  /**
   * Tables to restore, by manifest name (`gold.ar_ageing`) or bare name (`ar_ageing`,
   * when only one layer has it).
   * @default every `silver.*` and `gold.*` table the run published
   */
  tables?: readonly string[] | undefined;
  /** Change nothing; the run reports current → target versions and row counts. @default false */
  dry_run?: boolean | undefined;
  /** @default the target run's environment */
  environment?: Environment | undefined;
  /** @default the target run's git sha (the code that produced the data being restored) */
  git_sha?: string | undefined;
  /** Extra labels. @default {} */
  labels?: Record<string, string> | undefined;
}

/**
 * The create-run body of a rollback of `target`: spec `controlroom/rollback`, one phase
 * `restore` requiring the `controlroom-rollback` capability, whose params name every
 * table to restore and the version `target` wrote. The run is self-describing: its
 * spec alone says what it restores. Bronze tables are never included (they are the
 * append-only raw history and hold the ingest cursor).
 *
 * @throws ControlRoomError (`validation_failed`) when `target` has not succeeded,
 * published no tables, or `tables` names one it did not publish.
 * @example
 * ```ts
 * const body = rollbackRunRequest(await client.runs.get(runId), { tables: ["gold.ar_ageing"] });
 * await client.runs.create(body);
 * ```
 */
export function rollbackRunRequest(
  target: Run,
  options: RollbackRequestOptions = {},
): CreateRunRequest {
  const tables = selectTables(recordedTables(target), options.tables, target.run_id);
  const params: RollbackParams = {
    rollback_of_run: target.run_id,
    tables,
    dry_run: options.dry_run ?? false,
  };
  return {
    spec_slug: ROLLBACK_SPEC_SLUG,
    git_sha: options.git_sha ?? target.git_sha,
    environment: options.environment ?? target.environment,
    phases: [
      {
        name: ROLLBACK_PHASE,
        kind: "custom",
        requires: [ROLLBACK_CAPABILITY],
        timeout_seconds: 3_600,
        params: { ...params },
      },
    ],
    input_manifest: {
      rollback_of_run: target.run_id,
      rollback_of_spec: target.spec_slug,
      dry_run: params.dry_run,
      tables: tables.map(({ name, location, version, sha256 }) => ({
        name,
        location,
        version,
        sha256,
      })),
    },
    labels: {
      ...options.labels,
      rollback_of_run: target.run_id,
      ...(params.dry_run ? { dry_run: "true" } : {}),
    },
  };
}

/**
 * Requests a rollback: reads the target run and creates the rollback run (see
 * {@link rollbackRunRequest}). Any worker serving `defineRollbackExecutor()` (with a
 * lakehouse on the same lake) executes it; follow it with `client.events.iterate()`.
 *
 * @example
 * ```ts
 * const run = await requestRollback(client, { to_run_id: runId, dry_run: true });
 * ```
 */
export async function requestRollback(
  client: ControlRoomClient,
  options: RollbackRequestOptions & { to_run_id: string; idempotency_key?: string | undefined },
  call: CallOptions = {},
): Promise<Run> {
  const target = await client.runs.get(options.to_run_id, call);
  return client.runs.create(rollbackRunRequest(target, options), {
    ...call,
    idempotencyKey: options.idempotency_key,
  });
}

function selectTables(
  recorded: RecordedTable[],
  wanted: readonly string[] | undefined,
  runId: string,
): RecordedTable[] {
  if (recorded.length === 0) {
    throw new ControlRoomError(
      "validation_failed",
      `run ${runId} published no silver or gold tables: nothing to restore`,
    );
  }
  if (wanted === undefined || wanted.length === 0) return recorded;
  const chosen = new Map<string, RecordedTable>();
  for (const name of wanted) {
    const matches = recorded.filter(
      (table) => table.name === name || table.name.slice(table.name.indexOf(".") + 1) === name,
    );
    const exact = matches.find((table) => table.name === name);
    const table = exact ?? (matches.length === 1 ? matches[0] : undefined);
    if (table === undefined) {
      throw new ControlRoomError(
        "validation_failed",
        matches.length > 1
          ? `table "${name}" is ambiguous: ${matches.map((t) => t.name).join(", ")}`
          : `run ${runId} published no table "${name}"; it published ${recorded.map((t) => t.name).join(", ")}`,
      );
    }
    chosen.set(table.name, table);
  }
  return [...chosen.values()];
}
