import { ROLLBACK_CAPABILITY } from "@controlroom/sdk";
import type { PhaseContext } from "../context/phase-context.js";
import { defineExecutor, type ExecutorDefinition } from "../definition/define-executor.js";
import { type PhaseDefinition, phase } from "../definition/phase.js";
import type { Lakehouse } from "../ports/lakehouse.js";
import { lakehouseOf } from "./medallion-adapters.js";
import { RollbackOutput, RollbackPhaseParams, runRestoreTables } from "./restore-tables-phase.js";

/** Options of {@link defineRollbackExecutor}. */
export interface RollbackExecutorOptions {
  /** Where the phase finds the lakehouse. @default ctx.adapters.lakehouse */
  lakehouse?: ((ctx: PhaseContext) => Lakehouse) | undefined;
  /** The phase's time limit. @default 3_600_000 */
  timeoutMs?: number | undefined;
}

/** The rollback executor: one phase, `restore` (`ROLLBACK_PHASE` of `@controlroom/sdk`). */
export type RollbackExecutor = ExecutorDefinition<{
  restore: PhaseDefinition<typeof RollbackPhaseParams, typeof RollbackOutput>;
}>;

/**
 * The executor of rollback runs (spec `controlroom/rollback`, capability
 * `controlroom-rollback`): its one phase `restore` restores each table the run's
 * params name to the version the target run wrote, one atomic `RESTORE` commit per
 * table whose commit info names the rollback run, `rollback_of_run` and
 * `restored_version`, after checking the stored version still hashes to what that run
 * recorded. Tables already there are skipped, so re-running an interrupted rollback
 * completes it; `dry_run` changes nothing and reports current → target versions and
 * row counts. Create its runs with `requestRollback()` / `rollbackRunRequest()` from
 * `@controlroom/sdk`.
 *
 * @example
 * ```ts
 * const rollback = defineRollbackExecutor();
 * await runWorker(rollback, { client, adapters: { lakehouse } });
 * ```
 */
export function defineRollbackExecutor(options: RollbackExecutorOptions = {}): RollbackExecutor {
  const adapters = { adapters: { lakehouse: options.lakehouse } };
  return defineExecutor({
    id: "controlroom-rollback",
    version: "1.0.0",
    capabilities: [ROLLBACK_CAPABILITY],
    phases: {
      restore: phase({
        input: RollbackPhaseParams,
        output: RollbackOutput,
        kind: "custom",
        requires: [ROLLBACK_CAPABILITY],
        timeoutMs: options.timeoutMs ?? 3_600_000,
        run: (ctx) => runRestoreTables(lakehouseOf(adapters, ctx), ctx),
      }),
    },
  });
}
