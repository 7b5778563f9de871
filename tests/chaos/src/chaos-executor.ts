import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { PhaseSpecInput } from "@controlroom/contract";
import {
  buildPhaseSpec,
  defineExecutor,
  NonRetryableError,
  type PhaseContext,
  phase,
} from "@controlroom/executor-kit";
import { z } from "zod";
import { artifactBytes } from "./artifact-bytes.js";
import type { SideEffectRecord } from "./side-effects.js";

/** What a chaos worker gives its phases besides the object store. */
export interface ChaosAdapter {
  /** This worker process's executor id, as the control plane records it in claims. */
  executorId: string;
  /** Durably records a phase's side effect (appended and fsynced) before it returns. */
  recordSideEffect(record: SideEffectRecord): Promise<void>;
}

// Optional, not required as docs/executor-kit.md shows: a required member makes the
// kit's own source (`options.adapters ?? {}` in run-worker.ts) fail to type-check in
// this program, which compiles workspace packages from source.
declare module "@controlroom/executor-kit" {
  interface Adapters {
    chaos?: ChaosAdapter;
  }
}

/** The capability only chaos workers declare, so no other worker takes these phases. */
export const CHAOS_CAPABILITY = "chaos-test";

/** The name every chaos phase links its artifact under. */
export const CHAOS_ARTIFACT = "chaos.bin";

/** The DAG of a chaos run: a → b, a → c, b + c → d. */
export const CHAOS_DAG = { a: [], b: ["a"], c: ["a"], d: ["b", "c"] } as const satisfies Record<
  string,
  readonly string[]
>;

/** The name of a phase of a chaos run. */
export type ChaosPhaseName = keyof typeof CHAOS_DAG;

const ChaosParamsSchema = z.object({
  /** The longest time the phase sleeps, in two halves around its artifact. */
  sleep_ms_max: z.number().int().min(0),
  /** The chance that an attempt throws a retryable error of its own. */
  fail_rate: z.number().min(0).max(1),
  /** The largest artifact, in bytes (the size is derived from the run and phase). */
  artifact_bytes_max: z.number().int().min(1),
});

/** A phase's output: which attempt produced it, where, and what it saw upstream. */
export const ChaosOutputSchema = z.object({
  run_id: z.string(),
  phase: z.string(),
  attempt: z.number().int(),
  /** Random per attempt: tells apart the outputs of two attempts. */
  nonce: z.string(),
  executor_id: z.string(),
  pid: z.number().int(),
  artifact_sha256: z.string(),
  /** The nonces of the upstream outputs this attempt was given, by phase name. */
  upstream: z.record(z.string(), z.string()),
});

/** A chaos phase's output. */
export type ChaosOutput = z.infer<typeof ChaosOutputSchema>;

/** What each chaos phase does with its params. */
export type ChaosParams = z.infer<typeof ChaosParamsSchema>;

const requires = [CHAOS_CAPABILITY];

async function runChaosPhase(ctx: PhaseContext<ChaosParams>): Promise<ChaosOutput> {
  const { chaos } = ctx.adapters;
  if (!chaos) throw new NonRetryableError("the chaos worker gives its phases `adapters.chaos`");
  const nonce = randomUUID();
  const half = () => Math.floor(Math.random() * (ctx.params.sleep_ms_max / 2));
  ctx.emit("CHAOS_ATTEMPT_STARTED", {
    message: `attempt ${ctx.attempt} on ${chaos.executorId}`,
    payload: { attempt: ctx.attempt, nonce, executor_id: chaos.executorId },
  });
  await sleep(half(), undefined, { signal: ctx.signal });
  ctx.progress(0.5, "halfway");
  if (Math.random() < ctx.params.fail_rate) {
    throw new Error(`injected failure of attempt ${ctx.attempt}`);
  }

  const upstream: Record<string, string> = {};
  const upstreamShas: string[] = [];
  for (const name of CHAOS_DAG[ctx.phase as ChaosPhaseName] ?? []) {
    const parsed = ChaosOutputSchema.parse(ctx.upstream[name]);
    upstream[name] = parsed.nonce;
    upstreamShas.push(parsed.artifact_sha256);
  }
  const bytes = artifactBytes(ctx.run_id, ctx.phase, upstreamShas, ctx.params.artifact_bytes_max);
  const stored = await ctx.artifacts.put(CHAOS_ARTIFACT, bytes, "application/octet-stream", {
    metadata: { run_id: ctx.run_id, phase: ctx.phase },
  });
  await sleep(half(), undefined, { signal: ctx.signal });

  const output: ChaosOutput = {
    run_id: ctx.run_id,
    phase: ctx.phase,
    attempt: ctx.attempt,
    nonce,
    executor_id: chaos.executorId,
    pid: process.pid,
    artifact_sha256: stored.sha256,
    upstream,
  };
  ctx.signal.throwIfAborted();
  await chaos.recordSideEffect({
    run_id: ctx.run_id,
    phase: ctx.phase,
    attempt: ctx.attempt,
    executor_id: chaos.executorId,
    pid: process.pid,
    recorded_at: new Date().toISOString(),
    output,
  });
  ctx.log.info("side effect recorded", { attempt: ctx.attempt, nonce });
  return output;
}

const chaosPhase = (kind: "ingest" | "transform" | "validate" | "publish") =>
  phase({
    input: ChaosParamsSchema,
    output: ChaosOutputSchema,
    kind,
    requires,
    timeoutMs: 60_000,
    // Enough attempts that random kills never exhaust them; short waits between them.
    retry: {
      max_attempts: 25,
      initial_interval_ms: 100,
      backoff_coefficient: 1.5,
      max_interval_ms: 1_000,
    },
    run: runChaosPhase,
  });

/**
 * The chaos executor: four phases that each sleep a little, emit events, store an
 * artifact whose bytes depend only on the run and its upstream artifacts, durably
 * record a side effect naming their attempt, and return an output naming it too.
 */
export const chaosExecutor = defineExecutor({
  id: "chaos",
  version: "1.0.0",
  capabilities: requires,
  phases: {
    a: chaosPhase("ingest"),
    b: chaosPhase("transform"),
    c: chaosPhase("validate"),
    d: chaosPhase("publish"),
  },
});

/** Options of {@link chaosRunPhases}. */
export interface ChaosRunPhasesOptions {
  /** @default 1_500 */
  sleepMsMax?: number;
  /** @default 0.05 */
  failRate?: number;
  /** @default 65_536 */
  artifactBytesMax?: number;
}

/** The run spec's phases of one chaos run. */
export function chaosRunPhases(options: ChaosRunPhasesOptions = {}): PhaseSpecInput[] {
  const params: ChaosParams = {
    sleep_ms_max: options.sleepMsMax ?? 1_500,
    fail_rate: options.failRate ?? 0.05,
    artifact_bytes_max: options.artifactBytesMax ?? 65_536,
  };
  return (Object.keys(CHAOS_DAG) as ChaosPhaseName[]).map((name) =>
    buildPhaseSpec(chaosExecutor, name, { params, depends_on: [...CHAOS_DAG[name]] }),
  );
}
