import { z } from "zod";
import { RegisterArtifactRequestSchema } from "./artifact.js";
import { EnvironmentSchema, UuidSchema } from "./common.js";
import type { EndpointName } from "./endpoints.js";
import { AppendEventsRequestSchema, ListEventsQuerySchema } from "./event.js";
import { ClaimRequestSchema, CompleteRequestSchema, HeartbeatRequestSchema } from "./lease.js";
import { CancelRunRequestSchema, CreateRunRequestSchema, ListRunsQuerySchema } from "./run.js";
import { checkPhaseGraph } from "./run-spec.js";

const runId = { run_id: UuidSchema.describe("The run's id.") };

/** The tools that create runs take their `Idempotency-Key` as an argument. */
const idempotencyKey = {
  idempotency_key: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe("Makes the request safe to retry: the same key and arguments return the same run."),
};

/** A tool an LLM agent can call, with the endpoint it maps to. */
export interface ToolSpec {
  name: string;
  description: string;
  /** The zod schema of the tool's arguments; validate with it before calling. */
  input: z.ZodType;
  /** The endpoint the arguments are sent to (claim picks `claimRun` when `run_id` is given). */
  endpoint: EndpointName;
}

/**
 * The contract's operations as LLM tools. Each `input` merges the path parameters
 * into the body, since tools take one object of arguments.
 */
export const TOOL_SPECS = [
  {
    name: "create_run",
    description:
      "Create a run of a spec at a git commit with its ordered phases. Pass an idempotency_key to make retries safe: the same key and body return the same run.",
    input: z
      .object({
        ...CreateRunRequestSchema.shape,
        ...idempotencyKey,
      })
      .superRefine((body, ctx) => checkPhaseGraph(body.phases, ctx)),
    endpoint: "createRun",
  },
  {
    name: "claim",
    description:
      "Claim the next runnable phase, of one run when run_id is given, else the oldest across runs. Returns a lease (lease_token, phase, attempt, expires_at) or nothing. Heartbeat before expires_at and complete with the lease_token.",
    input: z.object({
      run_id: UuidSchema.optional().describe("Claim only from this run."),
      executor_id: ClaimRequestSchema.shape.executor_id,
      capabilities: ClaimRequestSchema.shape.capabilities,
      environments: z.array(EnvironmentSchema).min(1).max(3).optional().describe("Default: all."),
      request_id: UuidSchema.optional().describe("Reuse it when retrying the same claim."),
      wait_ms: ClaimRequestSchema.shape.wait_ms,
      lease_seconds: ClaimRequestSchema.shape.lease_seconds,
    }),
    endpoint: "claim",
  },
  {
    name: "heartbeat",
    description:
      "Extend a lease. The answer says whether the run was cancelled; a lease_lost error means stop working on the phase at once.",
    input: z.object({ ...runId, ...HeartbeatRequestSchema.shape }),
    endpoint: "heartbeat",
  },
  {
    name: "append_events",
    description:
      "Append up to 1000 events to a run's trail. Each event needs a fresh event_id (UUID); resending one is harmless.",
    input: z.object({ ...runId, ...AppendEventsRequestSchema.shape }),
    endpoint: "appendEvents",
  },
  {
    name: "register_artifact",
    description:
      "Register an immutable artifact by the sha256 of its bytes, where the bytes live (uri), and optionally link it to a run and phase under a name.",
    input: RegisterArtifactRequestSchema,
    endpoint: "registerArtifact",
  },
  {
    name: "complete_phase",
    description:
      "Finish the leased phase as succeeded (with its output and output_manifest) or failed (with an error; retryable unless error.retryable is false).",
    input: z.object({ ...runId, ...CompleteRequestSchema.shape }),
    endpoint: "completePhase",
  },
  {
    name: "get_run",
    description: "Get a run with the status, attempts and outputs of every phase.",
    input: z.object(runId),
    endpoint: "getRun",
  },
  {
    name: "list_runs",
    description:
      "List runs newest first, filtered by status, spec_slug or environment; page with cursor.",
    input: ListRunsQuerySchema,
    endpoint: "listRuns",
  },
  {
    name: "list_events",
    description:
      "Read a run's events in order after after_seq; pass the returned next_seq to continue. wait_ms waits for new events.",
    input: z.object({ ...runId, ...ListEventsQuerySchema.shape }),
    endpoint: "listEvents",
  },
  {
    name: "cancel_run",
    description: "Cancel a run: pending phases are cancelled, running ones are told to stop.",
    input: z.object({ ...runId, ...CancelRunRequestSchema.shape }),
    endpoint: "cancelRun",
  },
  // The two requests below read the target run (getRun) and create a run from its record
  // (createRun): the SDK's requestRollback() and requestRebuild() build the body. A worker
  // with the rollback or rebuild executor and the lake does the work.
  {
    name: "request_rollback",
    description:
      "Request a rollback of the lake to a succeeded run: creates a run (spec controlroom/rollback) that restores each silver and gold table that run published to the version it wrote, one atomic RESTORE commit per table, executed by a worker serving the rollback executor. Bronze (raw history) is never rolled back. dry_run reports current and target versions and row counts without changing anything. Follow the returned run with list_events.",
    input: z.object({
      to_run_id: UuidSchema.describe("The succeeded run whose tables to go back to."),
      tables: z
        .array(z.string().min(1).max(200))
        .min(1)
        .max(500)
        .optional()
        .describe("Only these tables, e.g. gold.ar_ageing or ar_ageing. Default: all."),
      dry_run: z.boolean().optional().describe("Change nothing; report the plan. Default: false."),
      ...idempotencyKey,
    }),
    endpoint: "createRun",
  },
  {
    name: "request_rebuild",
    description:
      "Request a rebuild of a succeeded run: creates a run (spec controlroom/rebuild) that re-runs its phases after ingest at the same git sha against the exact input versions it read, in scratch space, then compares every silver and gold output hash: recorded, stored (re-hashed now) and rebuilt. The run fails when any differs, with a REBUILD_OUTPUT_COMPARED event per output (including differing rows). Executed by a worker serving the pipeline's rebuild variant.",
    input: z.object({
      run_id: UuidSchema.describe("The succeeded run to rebuild."),
      ...idempotencyKey,
    }),
    endpoint: "createRun",
  },
] as const satisfies readonly ToolSpec[];

export type ToolName = (typeof TOOL_SPECS)[number]["name"];

/** A tool definition in the shape Anthropic's tool use and OpenAI function calling take. */
export interface ToolDefinition {
  name: string;
  description: string;
  input_schema: Record<string, unknown>;
}

/**
 * The tool definitions, ready to hand to Claude (`tools: [...]`) as they are, or to
 * OpenAI function calling as `{ type: "function", function: { name, description,
 * parameters: input_schema } }`. Schemas are inlined (no `$ref`).
 *
 * @example
 * ```ts
 * import { toolDefinitions } from "@controlroom/contract";
 * const tools = toolDefinitions(); // pass to messages.create({ tools })
 * ```
 */
export function toolDefinitions(): ToolDefinition[] {
  return TOOL_SPECS.map((tool) => {
    const { $schema: _ignored, ...schema } = z.toJSONSchema(tool.input, {
      target: "draft-2020-12",
      io: "input",
      unrepresentable: "any",
    }) as Record<string, unknown>;
    return { name: tool.name, description: tool.description, input_schema: schema };
  });
}
