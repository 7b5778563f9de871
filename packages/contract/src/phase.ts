import { z } from "zod";
import { JsonObjectSchema, PhaseNameSchema, TimestampSchema } from "./common.js";
import { named } from "./registry.js";

/** Defaults of a phase's retry policy and timeout (CONTRACT.md, semantics 5). */
export const RETRY_DEFAULTS = {
  max_attempts: 3,
  initial_interval_ms: 1_000,
  backoff_coefficient: 2,
  max_interval_ms: 60_000,
} as const;
export const DEFAULT_TIMEOUT_SECONDS = 3_600;

export const RetryPolicySchema = named(
  "RetryPolicy",
  "How a failed attempt of a phase is retried.",
  z
    .object({
      max_attempts: z.number().int().min(1).max(100).default(RETRY_DEFAULTS.max_attempts),
      initial_interval_ms: z
        .number()
        .int()
        .min(0)
        .max(3_600_000)
        .default(RETRY_DEFAULTS.initial_interval_ms),
      backoff_coefficient: z.number().min(1).max(10).default(RETRY_DEFAULTS.backoff_coefficient),
      max_interval_ms: z
        .number()
        .int()
        .min(0)
        .max(86_400_000)
        .default(RETRY_DEFAULTS.max_interval_ms),
    })
    .superRefine((policy, ctx) => {
      if (policy.max_interval_ms < policy.initial_interval_ms) {
        ctx.addIssue({
          code: "custom",
          path: ["max_interval_ms"],
          message: "max_interval_ms must be at least initial_interval_ms",
        });
      }
    }),
);
export type RetryPolicy = z.output<typeof RetryPolicySchema>;

export const PHASE_KINDS = [
  "ingest",
  "validate",
  "transform",
  "publish",
  "profile",
  "custom",
] as const;
export const PhaseKindSchema = named("PhaseKind", "What a phase does.", z.enum(PHASE_KINDS));
export type PhaseKind = z.infer<typeof PhaseKindSchema>;

export const PhaseSpecSchema = named(
  "PhaseSpec",
  "One deterministic step of a run, as given when the run is created.",
  z.object({
    name: PhaseNameSchema,
    kind: PhaseKindSchema,
    depends_on: z
      .array(PhaseNameSchema)
      .max(100)
      .optional()
      .describe("Names of the phases this one waits for. Default: the previous phase."),
    timeout_seconds: z.number().int().min(1).max(86_400).default(DEFAULT_TIMEOUT_SECONDS),
    retry: RetryPolicySchema.default(RETRY_DEFAULTS),
    requires: z
      .array(z.string().min(1).max(64))
      .max(32)
      .default([])
      .describe("Capabilities an executor must declare to claim this phase, e.g. `duckdb`."),
    params: JsonObjectSchema.default({}),
  }),
);
/** A phase spec as a client writes it (defaults may be left out). */
export type PhaseSpecInput = z.input<typeof PhaseSpecSchema>;
/** A phase spec with every default applied. */
export type PhaseSpec = z.output<typeof PhaseSpecSchema>;

export const PHASE_STATUSES = [
  "pending",
  "runnable",
  "claimed",
  "running",
  "succeeded",
  "failed",
  "cancelled",
  "skipped",
] as const;
export const PhaseStatusSchema = named(
  "PhaseStatus",
  "Where a phase is in its life.",
  z.enum(PHASE_STATUSES),
);
export type PhaseStatus = z.infer<typeof PhaseStatusSchema>;

/** Phase statuses after which nothing more happens to the phase. */
export const TERMINAL_PHASE_STATUSES: readonly PhaseStatus[] = [
  "succeeded",
  "failed",
  "cancelled",
  "skipped",
];

export const PhaseErrorSchema = named(
  "PhaseError",
  "Why an attempt of a phase failed.",
  z.object({
    message: z.string().max(16_384),
    code: z.string().max(128).optional(),
    retryable: z.boolean().optional().describe("False stops retries. Default: true."),
    retry_after_ms: z
      .number()
      .int()
      .min(0)
      .max(86_400_000)
      .optional()
      .describe("Retry no sooner than this; replaces the computed backoff for this attempt."),
  }),
);
export type PhaseError = z.infer<typeof PhaseErrorSchema>;

export const PhaseSchema = named(
  "Phase",
  "A phase of a run: its spec (defaults applied, depends_on resolved) and its state.",
  z.object({
    name: PhaseNameSchema,
    kind: PhaseKindSchema,
    depends_on: z.array(PhaseNameSchema),
    timeout_seconds: z.number().int(),
    retry: RetryPolicySchema,
    requires: z.array(z.string()),
    params: JsonObjectSchema,
    status: PhaseStatusSchema,
    attempt: z
      .number()
      .int()
      .min(0)
      .describe("Attempts started so far (0 before the first claim)."),
    claimed_by: z.string().nullable(),
    lease_expires_at: TimestampSchema.nullable(),
    next_attempt_at: TimestampSchema.nullable(),
    last_error: PhaseErrorSchema.nullable(),
    output: JsonObjectSchema.nullable(),
    started_at: TimestampSchema.nullable(),
    finished_at: TimestampSchema.nullable(),
  }),
);
export type Phase = z.output<typeof PhaseSchema>;
