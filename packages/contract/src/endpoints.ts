import { z } from "zod";
import { ArtifactSchema, RegisterArtifactRequestSchema, Sha256Schema } from "./artifact.js";
import {
  ClaimBatchRequestSchema,
  CompleteBatchRequestSchema,
  CompleteBatchResponseSchema,
  LeaseBatchSchema,
} from "./batch.js";
import { UuidSchema } from "./common.js";
import type { ErrorCode } from "./errors.js";
import {
  AppendEventsRequestSchema,
  AppendEventsResponseSchema,
  EventListSchema,
  ListEventsQuerySchema,
} from "./event.js";
import {
  ClaimRequestSchema,
  ClaimRunRequestSchema,
  CompleteRequestSchema,
  HeartbeatRequestSchema,
  HeartbeatResponseSchema,
  LeaseSchema,
} from "./lease.js";
import { named } from "./registry.js";
import {
  CancelRunRequestSchema,
  CreateRunRequestSchema,
  ListRunsQuerySchema,
  RunListSchema,
  RunSchema,
} from "./run.js";
import { CONTRACT_VERSION } from "./version.js";

export const HealthSchema = named(
  "Health",
  "The answer of GET /healthz.",
  z.object({ status: z.literal("ok"), contract_version: z.literal(CONTRACT_VERSION) }),
);
export type Health = z.output<typeof HealthSchema>;

/** The path parameters the contract uses, with their schemas. */
export const PATH_PARAMS = { run_id: UuidSchema, sha256: Sha256Schema } as const;

/** One endpoint of the contract, described once for the server, SDK and OpenAPI document. */
export interface EndpointDefinition {
  method: "get" | "post";
  /** OpenAPI-style path, e.g. `/ops/runs/{run_id}`. */
  path: string;
  summary: string;
  description?: string;
  /** The role that may call it at the least (`viewer` < `executor`/`operator` < `admin`). */
  roles: readonly ("viewer" | "executor" | "operator" | "admin")[];
  body?: z.ZodType;
  query?: z.ZodType;
  /** Success responses by status; `null` means no body. */
  responses: Record<number, { description: string; schema: z.ZodType | null }>;
  /** Error codes this endpoint may answer with, beyond the ones every endpoint may. */
  errors: readonly ErrorCode[];
  /** Request headers the endpoint reads. */
  headers?: Record<string, { description: string; required: boolean }>;
  /** Whether a bearer token is needed. */
  auth: boolean;
}

const READ = ["viewer", "executor", "operator", "admin"] as const;
const EXECUTE = ["executor", "admin"] as const;
const OPERATE = ["operator", "admin"] as const;

/**
 * Every endpoint of the contract, keyed by operation id. The server mounts routes
 * from it, the SDK calls them by it, and the OpenAPI document is generated from it.
 */
export const ENDPOINTS = {
  createRun: {
    method: "post",
    path: "/ops/runs",
    summary: "Create a run",
    description:
      "Creates a run of the given phases. Idempotent under `Idempotency-Key`: the same key with the same body returns the same run (200); with another body, 409 `idempotency_conflict`. Writes `RUN_CREATED`.",
    roles: OPERATE,
    body: CreateRunRequestSchema,
    responses: {
      201: { description: "The run was created.", schema: RunSchema },
      200: {
        description: "A repeat of an earlier create with the same key and body.",
        schema: RunSchema,
      },
    },
    errors: ["idempotency_conflict"],
    headers: {
      "Idempotency-Key": {
        description: "Minted once per logical create; the same key on every retry.",
        required: false,
      },
    },
    auth: true,
  },
  listRuns: {
    method: "get",
    path: "/ops/runs",
    summary: "List runs, newest first",
    roles: READ,
    query: ListRunsQuerySchema,
    responses: { 200: { description: "A page of runs.", schema: RunListSchema } },
    errors: [],
    auth: true,
  },
  getRun: {
    method: "get",
    path: "/ops/runs/{run_id}",
    summary: "Get a run with its phases",
    roles: READ,
    responses: { 200: { description: "The run.", schema: RunSchema } },
    errors: ["not_found"],
    auth: true,
  },
  claimRun: {
    method: "post",
    path: "/ops/runs/{run_id}/claim",
    summary: "Claim the next runnable phase of one run",
    description:
      "A repeated `request_id` returns the same lease, never a second one. Writes `PHASE_CLAIMED`.",
    roles: EXECUTE,
    body: ClaimRunRequestSchema,
    responses: {
      200: { description: "A lease on one phase.", schema: LeaseSchema },
      204: { description: "Nothing runnable for this executor.", schema: null },
    },
    errors: ["not_found"],
    auth: true,
  },
  claim: {
    method: "post",
    path: "/ops/claims",
    summary: "Claim the oldest runnable phase across runs",
    description: "`wait_ms` long-polls (at most 30 000 ms) when nothing is runnable.",
    roles: EXECUTE,
    body: ClaimRequestSchema,
    responses: {
      200: { description: "A lease on one phase.", schema: LeaseSchema },
      204: { description: "Nothing runnable within `wait_ms`.", schema: null },
    },
    errors: [],
    auth: true,
  },
  claimBatch: {
    method: "post",
    path: "/ops/claims/batch",
    summary: "Claim up to `max_leases` runnable phases across runs",
    description:
      "The claim of POST /ops/claims, for several free slots at once: each lease is one phase's, with the events a single claim writes. `wait_ms` long-polls until at least one is runnable. A repeated `request_id` returns the same leases.",
    roles: EXECUTE,
    body: ClaimBatchRequestSchema,
    responses: {
      200: { description: "Leases on one or more phases.", schema: LeaseBatchSchema },
      204: { description: "Nothing runnable within `wait_ms`.", schema: null },
    },
    errors: [],
    auth: true,
  },
  heartbeat: {
    method: "post",
    path: "/ops/runs/{run_id}/heartbeat",
    summary: "Extend a lease and learn whether the run was cancelled",
    roles: EXECUTE,
    body: HeartbeatRequestSchema,
    responses: { 200: { description: "The lease was extended.", schema: HeartbeatResponseSchema } },
    errors: ["lease_lost", "not_found"],
    auth: true,
  },
  appendEvents: {
    method: "post",
    path: "/ops/runs/{run_id}/events",
    summary: "Append events to a run's trail",
    description:
      "Append-only; a repeated `event_id` is counted in `duplicates` and not stored twice. Never changes phase state.",
    roles: EXECUTE,
    body: AppendEventsRequestSchema,
    responses: {
      200: {
        description: "Counts of stored and repeated events.",
        schema: AppendEventsResponseSchema,
      },
    },
    errors: ["not_found", "payload_too_large"],
    auth: true,
  },
  listEvents: {
    method: "get",
    path: "/ops/runs/{run_id}/events",
    summary: "Read a run's events in order",
    description:
      "`next_seq` is what to pass as `after_seq` next; `wait_ms` long-polls for new events.",
    roles: READ,
    query: ListEventsQuerySchema,
    responses: { 200: { description: "A page of events.", schema: EventListSchema } },
    errors: ["not_found"],
    auth: true,
  },
  completePhase: {
    method: "post",
    path: "/ops/runs/{run_id}/complete",
    summary: "Complete the leased phase",
    description:
      "A failure with attempts left is rescheduled with backoff; otherwise the phase fails, its dependants are skipped and the run fails. A repeat of an accepted complete returns 200 with no second effect.",
    roles: EXECUTE,
    body: CompleteRequestSchema,
    responses: { 200: { description: "The run after the change.", schema: RunSchema } },
    errors: ["lease_lost", "not_found"],
    auth: true,
  },
  completeBatch: {
    method: "post",
    path: "/ops/completions",
    summary: "Complete several leased phases",
    description:
      "Each completion is applied as POST /ops/runs/{run_id}/complete would apply it, in one transaction; one that would be refused (a lost lease, an unknown run) is answered `rejected` in its place and the others still apply. Safe to retry: a repeat of an accepted completion is `completed` with no second effect. With `claim`, the same transaction then claims as POST /ops/claims/batch would (never waiting), so a busy worker ends its attempts and takes its next ones in one request; a repeat of the request returns the same leases.",
    roles: EXECUTE,
    body: CompleteBatchRequestSchema,
    responses: {
      200: {
        description:
          "One result per completion, in order, and the claim's leases when it carried one.",
        schema: CompleteBatchResponseSchema,
      },
    },
    errors: [],
    auth: true,
  },
  cancelRun: {
    method: "post",
    path: "/ops/runs/{run_id}/cancel",
    summary: "Cancel a run",
    description:
      "Pending phases are cancelled; running ones see `cancel_requested` on their next heartbeat.",
    roles: OPERATE,
    body: CancelRunRequestSchema,
    responses: { 200: { description: "The run after the change.", schema: RunSchema } },
    errors: ["not_found"],
    auth: true,
  },
  registerArtifact: {
    method: "post",
    path: "/ops/artifacts",
    summary: "Register a content-addressed artifact, optionally linking it to a run",
    description:
      "The same sha with a different `size_bytes` is 409 `conflict`. Writes `ARTIFACT_REGISTERED` when linked.",
    roles: EXECUTE,
    body: RegisterArtifactRequestSchema,
    responses: {
      201: { description: "A new artifact.", schema: ArtifactSchema },
      200: { description: "The artifact was already known.", schema: ArtifactSchema },
    },
    errors: ["conflict", "not_found"],
    auth: true,
  },
  getArtifact: {
    method: "get",
    path: "/ops/artifacts/{sha256}",
    summary: "Get an artifact with its links",
    roles: READ,
    responses: { 200: { description: "The artifact.", schema: ArtifactSchema } },
    errors: ["not_found"],
    auth: true,
  },
  health: {
    method: "get",
    path: "/healthz",
    summary: "Liveness",
    roles: READ,
    responses: { 200: { description: "The server is up.", schema: HealthSchema } },
    errors: [],
    auth: false,
  },
  metrics: {
    method: "get",
    path: "/metrics",
    summary: "Metrics in Prometheus text format",
    roles: READ,
    responses: { 200: { description: "Prometheus exposition text.", schema: null } },
    errors: [],
    auth: false,
  },
  openapi: {
    method: "get",
    path: "/openapi.json",
    summary: "This document",
    roles: READ,
    responses: { 200: { description: "The OpenAPI 3.1 document.", schema: null } },
    errors: [],
    auth: false,
  },
} as const satisfies Record<string, EndpointDefinition>;

export type EndpointName = keyof typeof ENDPOINTS;
