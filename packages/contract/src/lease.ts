import { z } from "zod";
import {
  EnvironmentSchema,
  GitShaSchema,
  JsonObjectSchema,
  SpecSlugSchema,
  TimestampSchema,
  UuidSchema,
} from "./common.js";
import { PhaseErrorSchema, PhaseKindSchema, RetryPolicySchema } from "./phase.js";
import { named } from "./registry.js";

/** Default and bounds of a lease's length (CONTRACT.md, semantics 5). */
export const DEFAULT_LEASE_SECONDS = 60;
export const MAX_CLAIM_WAIT_MS = 30_000;

const ExecutorIdSchema = z.string().min(1).max(200);
const CapabilitiesSchema = z.array(z.string().min(1).max(64)).max(64);
const LeaseSecondsSchema = z.number().int().min(1).max(3_600);
// An addition to CONTRACT.md's claim: optional, so callers that leave it out get the
// contract's claim exactly, and a server without it ignores it (the lease then says
// `started: false`, or nothing).
const StartSchema = z
  .boolean()
  .optional()
  .describe(
    "Also start the attempt: the phase goes straight to `running` and the server writes `PHASE_STARTED` with `PHASE_CLAIMED`, so no first heartbeat is needed. Default false.",
  );

export const ClaimRunRequestSchema = named(
  "ClaimRunRequest",
  "The body of POST /ops/runs/{run_id}/claim.",
  z.object({
    executor_id: ExecutorIdSchema,
    capabilities: CapabilitiesSchema,
    request_id: UuidSchema.describe(
      "Minted once per logical claim; a repeat returns the same lease.",
    ),
    lease_seconds: LeaseSecondsSchema.optional().describe("Default 60."),
    start: StartSchema,
  }),
);
export type ClaimRunRequest = z.input<typeof ClaimRunRequestSchema>;

export const ClaimRequestSchema = named(
  "ClaimRequest",
  "The body of POST /ops/claims: claim the oldest runnable phase across runs.",
  z.object({
    executor_id: ExecutorIdSchema,
    capabilities: CapabilitiesSchema,
    environments: z.array(EnvironmentSchema).min(1).max(3),
    request_id: UuidSchema,
    wait_ms: z
      .number()
      .int()
      .min(0)
      .max(MAX_CLAIM_WAIT_MS)
      .optional()
      .describe("Long-poll for up to this long when nothing is runnable. Default 0."),
    lease_seconds: LeaseSecondsSchema.optional(),
    start: StartSchema,
  }),
);
export type ClaimRequest = z.input<typeof ClaimRequestSchema>;

export const LeaseSchema = named(
  "Lease",
  "The right to run one attempt of one phase until `expires_at`, renewed by heartbeats.",
  z.object({
    lease_token: z.string().describe("Opaque; fences every call about this attempt."),
    run_id: UuidSchema,
    phase: z.string(),
    attempt: z.number().int().min(1),
    expires_at: TimestampSchema,
    heartbeat_interval_ms: z.number().int().min(1),
    started: z
      .boolean()
      .optional()
      .describe(
        "Whether the attempt has started (`PHASE_STARTED` written): true after a claim with `start`. When false or absent, the first heartbeat starts it.",
      ),
    spec_slug: SpecSlugSchema,
    git_sha: GitShaSchema,
    environment: EnvironmentSchema,
    input_manifest: JsonObjectSchema,
    phase_spec: z.object({
      name: z.string(),
      kind: PhaseKindSchema,
      depends_on: z.array(z.string()),
      timeout_seconds: z.number().int(),
      retry: RetryPolicySchema,
      requires: z.array(z.string()),
      params: JsonObjectSchema,
    }),
    upstream_outputs: z
      .record(z.string(), JsonObjectSchema.nullable())
      .describe("The outputs of the phases this one depends on, by phase name."),
  }),
);
export type Lease = z.output<typeof LeaseSchema>;

export const ProgressSchema = named(
  "Progress",
  "How far a running phase has got.",
  z.object({
    fraction: z.number().min(0).max(1).optional(),
    message: z.string().max(2_000).optional(),
  }),
);

export const HeartbeatRequestSchema = named(
  "HeartbeatRequest",
  "The body of POST /ops/runs/{run_id}/heartbeat.",
  z.object({
    lease_token: z.string().min(1).max(512),
    progress: ProgressSchema.optional(),
  }),
);
export type HeartbeatRequest = z.input<typeof HeartbeatRequestSchema>;

export const HeartbeatResponseSchema = named(
  "HeartbeatResponse",
  "The lease's new expiry, and whether the run was cancelled.",
  z.object({ expires_at: TimestampSchema, cancel_requested: z.boolean() }),
);
export type HeartbeatResponse = z.output<typeof HeartbeatResponseSchema>;

export const CompleteRequestSchema = named(
  "CompleteRequest",
  "The body of POST /ops/runs/{run_id}/complete: how the leased attempt ended.",
  z.object({
    lease_token: z.string().min(1).max(512),
    status: z.enum(["succeeded", "failed"]),
    output: JsonObjectSchema.optional(),
    output_manifest: JsonObjectSchema.optional(),
    error: PhaseErrorSchema.optional(),
  }),
);
export type CompleteRequest = z.input<typeof CompleteRequestSchema>;
