import { z } from "zod";
import { UuidSchema } from "./common.js";
import { ProblemSchema } from "./errors.js";
import { AppendEventsResponseSchema, EventInputSchema, MAX_EVENTS_PER_APPEND } from "./event.js";
import { ClaimRequestSchema, CompleteRequestSchema, LeaseSchema } from "./lease.js";
import { named } from "./registry.js";
import { RunStatusSchema } from "./run.js";

// Additions to CONTRACT.md: a worker with several free slots claims them in one request
// and completes the attempts that ended meanwhile in one request. Each lease and each
// completion means exactly what the single-phase endpoints mean; only the round trips
// (and the database's per-statement work) are shared.

/** The most leases one claim may ask for, and the most completions one request carries. */
export const MAX_BATCH_SIZE = 100;

export const ClaimBatchRequestSchema = named(
  "ClaimBatchRequest",
  "The body of POST /ops/claims/batch: claim up to `max_leases` of the oldest runnable phases across runs.",
  ClaimRequestSchema.extend({
    max_leases: z
      .number()
      .int()
      .min(1)
      .max(MAX_BATCH_SIZE)
      .describe(
        "How many phases to claim at most. The server returns as many as are runnable now, at least one unless the long-poll ran out.",
      ),
  }),
);
export type ClaimBatchRequest = z.input<typeof ClaimBatchRequestSchema>;

export const LeaseBatchSchema = named(
  "LeaseBatch",
  "The leases one batch claim took, oldest runnable first. A repeated `request_id` returns the same leases.",
  z.object({ leases: z.array(LeaseSchema).min(1).max(MAX_BATCH_SIZE) }),
);
export type LeaseBatch = z.output<typeof LeaseBatchSchema>;

// An attempt's last events usually wait for its complete (the worker sends them first,
// so the trail reads: the phase's events, then the verdict). Carried in the completion,
// they cost neither a request of their own nor a transaction, and keep that order.
export const CompletionSchema = named(
  "Completion",
  "One leased attempt's end, as POST /ops/runs/{run_id}/complete takes it, with its run and, optionally, its last events.",
  CompleteRequestSchema.extend({
    run_id: UuidSchema,
    events: z
      .array(EventInputSchema)
      .max(MAX_EVENTS_PER_APPEND)
      .optional()
      .describe(
        "Events appended to the run's trail in the same transaction, just before the completion takes effect, exactly as POST /ops/runs/{run_id}/events appends them (a repeated `event_id` is a duplicate, not a second event). They are kept whether or not the completion applies: a lost lease still keeps what its attempt logged. The result's `events` says what became of them; a control plane older than this field answers without it, having ignored them.",
      ),
  }),
);
export type Completion = z.input<typeof CompletionSchema>;

// A busy worker completes some attempts and wants as many new ones: carrying the claim
// in the completion request halves its round trips (and the server's requests), as
// Temporal's eager dispatch returns the next task with the completion. Strict, so that a
// `wait_ms` (or any field this version does not know) is refused rather than ignored:
// the completion request never waits for work.
export const CompletionClaimSchema = named(
  "CompletionClaim",
  "A claim carried by POST /ops/completions: the fields of POST /ops/claims/batch without `wait_ms`, applied after the completions in the same transaction with that endpoint's semantics.",
  ClaimBatchRequestSchema.omit({ wait_ms: true })
    .extend({
      max_leases: z
        .number()
        .int()
        .min(1)
        .max(MAX_BATCH_SIZE)
        .describe(
          "How many phases to claim at most. The answer's `leases` holds as many as are runnable once the completions are applied, possibly none.",
        ),
    })
    .strict(),
);
export type CompletionClaim = z.input<typeof CompletionClaimSchema>;

export const CompleteBatchRequestSchema = named(
  "CompleteBatchRequest",
  "The body of POST /ops/completions: several attempts' ends, each applied as the single complete would, in one transaction; with `claim`, the same transaction then claims the worker's next phases.",
  z.object({
    completions: z.array(CompletionSchema).min(1).max(MAX_BATCH_SIZE),
    claim: CompletionClaimSchema.optional().describe(
      "Also claim, after the completions and in the same transaction, exactly as POST /ops/claims/batch would but never waiting: `wait_ms` (like any field not listed) is refused. Up to `max_leases` of the oldest runnable phases, a dependant that a completion of this request unblocked included, come back in the answer's `leases`. A repeated `request_id` returns the same leases and claims nothing more, so a repeat of the whole request answers the same results and the same leases.",
    ),
  }),
);
export type CompleteBatchRequest = z.input<typeof CompleteBatchRequestSchema>;

const CarriedEventsSchema = AppendEventsResponseSchema.optional().describe(
  "Present when the completion carried `events` and they were appended (a rejection for a run that cannot be found appends none): how many were stored and how many were repeats.",
);

export const CompletedCompletionSchema = named(
  "CompletedCompletion",
  "A completion that was applied, or a repeat of one that was.",
  z.object({
    outcome: z.literal("completed"),
    run_id: UuidSchema,
    lease_token: z.string(),
    phase: z.string(),
    run_status: RunStatusSchema.describe("The run's status after the change."),
    events: CarriedEventsSchema,
  }),
);

export const RejectedCompletionSchema = named(
  "RejectedCompletion",
  "A completion refused with the problem the single complete would have answered (`lease_lost`, `not_found`, …); the others in the batch are unaffected.",
  z.object({
    outcome: z.literal("rejected"),
    run_id: UuidSchema,
    lease_token: z.string(),
    error: ProblemSchema,
    events: CarriedEventsSchema,
  }),
);

export const CompletionResultSchema = named(
  "CompletionResult",
  "What became of one completion.",
  z.discriminatedUnion("outcome", [CompletedCompletionSchema, RejectedCompletionSchema]),
);
export type CompletionResult = z.output<typeof CompletionResultSchema>;

export const CompleteBatchResponseSchema = named(
  "CompleteBatchResponse",
  "One result per completion, in the request's order; with a `claim` in the request, the leases it took.",
  z.object({
    results: z.array(CompletionResultSchema),
    leases: z
      .array(LeaseSchema)
      .max(MAX_BATCH_SIZE)
      .optional()
      .describe(
        "Present exactly when the request carried `claim`: the leases it took, oldest runnable first, empty when nothing was runnable. A control plane older than `claim` ignores it and leaves this out.",
      ),
  }),
);
export type CompleteBatchResponse = z.output<typeof CompleteBatchResponseSchema>;
