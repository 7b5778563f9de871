import { type PhaseSpecInput, RETRY_DEFAULTS } from "@controlroom/contract";
import type { ExecutorDefinition, PhaseMap } from "./define-executor.js";
import type { PhaseParamsInput } from "./phase.js";

/** Options of {@link buildPhaseSpec}. */
export interface BuildPhaseSpecOptions<Params> {
  /**
   * The phase's params, typed by its `input` schema.
   * @default {}
   */
  params?: Params;
  /**
   * Names of the phases it waits for.
   * @default undefined (the previous phase in the run spec)
   */
  depends_on?: string[];
  /**
   * Overrides the phase's `timeoutMs` (rounded up to whole seconds).
   * @default the phase's timeoutMs, or the contract's 3 600 s
   */
  timeout_seconds?: number;
}

/**
 * Builds the run-spec entry for one of an executor's phases, carrying the phase's
 * kind, requirements, timeout and retry policy, with params checked by the compiler.
 *
 * @example
 * ```ts
 * const run = await client.runs.create({
 *   spec_slug: "hello",
 *   git_sha: "0".repeat(40),
 *   environment: "dev",
 *   input_manifest: {},
 *   phases: [buildPhaseSpec(executor, "greet", { params: { name: "Ada" } })],
 * });
 * ```
 */
export function buildPhaseSpec<TPhases extends PhaseMap, TName extends keyof TPhases & string>(
  executor: ExecutorDefinition<TPhases>,
  name: TName,
  options: BuildPhaseSpecOptions<PhaseParamsInput<TPhases[TName]>> = {},
): PhaseSpecInput {
  const definition = executor.phases[name];
  if (!definition) {
    throw new TypeError(`executor "${executor.id}" has no phase "${name}"`);
  }
  const timeoutSeconds =
    options.timeout_seconds ??
    (definition.timeoutMs === undefined ? undefined : Math.ceil(definition.timeoutMs / 1000));
  return {
    // The run uses the executor's phase name: that is how a worker finds the code.
    name,
    kind: definition.kind,
    requires: [...definition.requires],
    params: { ...(options.params ?? {}) },
    ...(options.depends_on ? { depends_on: [...options.depends_on] } : {}),
    ...(timeoutSeconds === undefined ? {} : { timeout_seconds: timeoutSeconds }),
    ...(definition.retry ? { retry: { ...RETRY_DEFAULTS, ...definition.retry } } : {}),
  };
}
