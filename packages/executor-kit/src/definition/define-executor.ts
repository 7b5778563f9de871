import { PhaseNameSchema } from "@controlroom/contract";
import { ExecutorKitError } from "../errors/executor-kit-error.js";
import type { AnyPhaseDefinition } from "./phase.js";

/** A map of phase name → definition. */
export type PhaseMap = Record<string, AnyPhaseDefinition>;

/** Options of {@link defineExecutor}. */
export interface ExecutorOptions<TPhases extends PhaseMap> {
  /**
   * A stable name for this executor, used in executor ids and logs, e.g. `"odoo-finance"`.
   * No default: required.
   */
  id: string;
  /**
   * The executor's own version (semver, or a git sha), on every log line.
   * No default: required.
   */
  version: string;
  /**
   * Capabilities the worker declares when claiming; phases whose spec `requires` more
   * are never offered to it.
   * @default []
   */
  capabilities?: readonly string[];
  /** The phases this executor can run, by the name run specs use. No default: required. */
  phases: TPhases;
}

/**
 * An executor as {@link defineExecutor} returns it: inert, frozen, fully typed.
 * Hand it to `runWorker()` to serve it, or to `runPhase()` to test one phase.
 */
export interface ExecutorDefinition<TPhases extends PhaseMap = PhaseMap> {
  readonly id: string;
  readonly version: string;
  readonly capabilities: readonly string[];
  readonly phases: Readonly<TPhases>;
}

/**
 * Defines an executor: a named, versioned set of phases. It has no side effects:
 * it checks the names and returns a frozen definition.
 *
 * @throws ExecutorKitError (`invalid_definition`) when the id is empty, there is no
 * phase, or a phase name is not a valid contract phase name.
 * @example
 * ```ts
 * import { z } from "zod";
 *
 * export const executor = defineExecutor({
 *   id: "hello",
 *   version: "1.0.0",
 *   capabilities: ["node"],
 *   phases: {
 *     greet: phase({
 *       input: z.object({ name: z.string() }),
 *       run: (ctx) => ({ greeting: `hello ${ctx.params.name}` }),
 *     }),
 *   },
 * });
 * ```
 */
export function defineExecutor<const TPhases extends PhaseMap>(
  options: ExecutorOptions<TPhases>,
): ExecutorDefinition<TPhases> {
  if (typeof options.id !== "string" || options.id.trim() === "") {
    throw new ExecutorKitError("invalid_definition", "defineExecutor(): `id` must be non-empty");
  }
  if (typeof options.version !== "string" || options.version.trim() === "") {
    throw new ExecutorKitError(
      "invalid_definition",
      "defineExecutor(): `version` must be non-empty",
    );
  }
  const names = Object.keys(options.phases ?? {});
  if (names.length === 0) {
    throw new ExecutorKitError(
      "invalid_definition",
      `defineExecutor("${options.id}"): define at least one phase`,
    );
  }
  for (const name of names) {
    if (!PhaseNameSchema.safeParse(name).success) {
      throw new ExecutorKitError(
        "invalid_definition",
        `defineExecutor("${options.id}"): phase name "${name}" must match ^[a-z][a-z0-9_-]{0,63}$`,
      );
    }
  }
  return Object.freeze({
    id: options.id,
    version: options.version,
    capabilities: Object.freeze([...(options.capabilities ?? [])]),
    phases: Object.freeze({ ...options.phases }),
  });
}
