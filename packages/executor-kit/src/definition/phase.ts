import type { JsonObject, PhaseKind, RetryPolicy } from "@controlroom/contract";
import type { z } from "zod";
import type { PhaseContext } from "../context/phase-context.js";

/** A zod schema whose parsed value is a JSON object (a phase's params or output). */
export type JsonObjectSchema = z.ZodType<JsonObject>;

/**
 * The schema type used when a phase declares none: params pass through as a JSON
 * object, and `run` may return a JSON object or nothing.
 */
export type UntypedSchema = z.ZodType<JsonObject, JsonObject | undefined>;

type MaybePromise<T> = T | Promise<T>;

/** Options of {@link phase}: one step of an executor. */
export interface PhaseOptions<
  TInput extends JsonObjectSchema = UntypedSchema,
  TOutput extends JsonObjectSchema = UntypedSchema,
> {
  /**
   * Validates and types the phase's params (the run spec's `params`). Invalid params
   * fail the attempt without retries.
   * @default undefined (params pass through untyped)
   */
  input?: TInput;
  /**
   * Validates and types what `run` returns (the phase's `output`). A mismatch fails
   * the attempt without retries.
   * @default undefined (any JSON object, or nothing)
   */
  output?: TOutput;
  /**
   * The executor's own time limit for one attempt; the worker uses the smaller of this
   * and the run spec's `timeout_seconds`, aborts `ctx.signal` and fails the attempt
   * (retryable). Also the default `timeout_seconds` of {@link buildPhaseSpec}.
   * @default undefined (only the run spec's `timeout_seconds`)
   */
  timeoutMs?: number;
  /**
   * The retry policy {@link buildPhaseSpec} writes into run specs. The control plane
   * applies the run spec's policy, so this is a default, not an override.
   * @default undefined (the contract's defaults: 3 attempts, 1 s, ×2, ≤ 60 s)
   */
  retry?: Partial<RetryPolicy>;
  /**
   * The phase's kind in run specs built by {@link buildPhaseSpec}.
   * @default "custom"
   */
  kind?: PhaseKind;
  /**
   * Capabilities an executor must declare to claim this phase, written into run specs
   * built by {@link buildPhaseSpec}.
   * @default []
   */
  requires?: readonly string[];
  /**
   * The phase's work. Return its output (or nothing); throw to fail the attempt.
   */
  run(ctx: PhaseContext<z.output<TInput>>): MaybePromise<z.input<TOutput>>;
}

/**
 * A phase as {@link phase} returns it: inert data plus the `run` function, typed by
 * its schemas. Executors hold these; nothing runs until a worker or `runPhase` calls it.
 */
export interface PhaseDefinition<
  TInput extends JsonObjectSchema = UntypedSchema,
  TOutput extends JsonObjectSchema = UntypedSchema,
> {
  readonly input: TInput | undefined;
  readonly output: TOutput | undefined;
  readonly timeoutMs: number | undefined;
  readonly retry: Partial<RetryPolicy> | undefined;
  readonly kind: PhaseKind;
  readonly requires: readonly string[];
  // Method syntax on purpose: it keeps a phase with typed params assignable to the
  // untyped PhaseDefinition that executors store.
  run(ctx: PhaseContext<z.output<TInput>>): MaybePromise<z.input<TOutput>>;
}

/** Any phase definition, whatever its schemas. */
export type AnyPhaseDefinition = PhaseDefinition<JsonObjectSchema, JsonObjectSchema>;

/** The params type a phase's `run` sees (after parsing). */
export type PhaseParams<P> =
  P extends PhaseDefinition<infer I, JsonObjectSchema> ? z.output<I> : never;

/** The params type a run spec must supply for a phase (before parsing). */
export type PhaseParamsInput<P> =
  P extends PhaseDefinition<infer I, JsonObjectSchema> ? z.input<I> : never;

/** The output type a phase completes with (after parsing). */
export type PhaseOutput<P> =
  P extends PhaseDefinition<JsonObjectSchema, infer O> ? z.output<O> : never;

/**
 * Defines one phase: its params and output schemas, limits and the function that does
 * the work. Pure: it validates the options and returns them frozen.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 *
 * const sum = phase({
 *   input: z.object({ numbers: z.array(z.number()) }),
 *   output: z.object({ total: z.number() }),
 *   timeoutMs: 60_000,
 *   retry: { max_attempts: 5 },
 *   run(ctx) {
 *     return { total: ctx.params.numbers.reduce((a, b) => a + b, 0) };
 *   },
 * });
 * ```
 */
export function phase<
  TInput extends JsonObjectSchema = UntypedSchema,
  TOutput extends JsonObjectSchema = UntypedSchema,
>(options: PhaseOptions<TInput, TOutput>): PhaseDefinition<TInput, TOutput> {
  if (typeof options.run !== "function") {
    throw new TypeError("phase(): `run` must be a function");
  }
  if (
    options.timeoutMs !== undefined &&
    (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0)
  ) {
    throw new TypeError(`phase(): timeoutMs must be a positive number, got ${options.timeoutMs}`);
  }
  return Object.freeze({
    input: options.input,
    output: options.output,
    timeoutMs: options.timeoutMs,
    retry: options.retry ? Object.freeze({ ...options.retry }) : undefined,
    kind: options.kind ?? "custom",
    requires: Object.freeze([...(options.requires ?? [])]),
    run: options.run,
  });
}
