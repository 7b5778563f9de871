import { z } from "zod";
import {
  EnvironmentSchema,
  GitShaSchema,
  JsonObjectSchema,
  LabelsSchema,
  SpecSlugSchema,
  TimestampSchema,
  UuidSchema,
} from "./common.js";
import { PhaseSchema, PhaseSpecSchema } from "./phase.js";
import { named } from "./registry.js";
import { checkPhaseGraph } from "./run-spec.js";

export const RUN_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export const RunStatusSchema = named(
  "RunStatus",
  "Where a run is in its life.",
  z.enum(RUN_STATUSES),
);
export type RunStatus = z.infer<typeof RunStatusSchema>;

/** Run statuses after which nothing more happens to the run. */
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ["succeeded", "failed", "cancelled"];

export const CreateRunRequestSchema = named(
  "CreateRunRequest",
  "The body of POST /ops/runs.",
  z
    .object({
      spec_slug: SpecSlugSchema,
      git_sha: GitShaSchema,
      environment: EnvironmentSchema,
      phases: z.array(PhaseSpecSchema).min(1).max(200),
      input_manifest: JsonObjectSchema,
      labels: LabelsSchema.optional(),
    })
    .superRefine((body, ctx) => checkPhaseGraph(body.phases, ctx)),
);
/** A create-run body as a client writes it. */
export type CreateRunRequest = z.input<typeof CreateRunRequestSchema>;
/** A create-run body with defaults applied. */
export type CreateRunRequestParsed = z.output<typeof CreateRunRequestSchema>;

export const RunSchema = named(
  "Run",
  "A run: one execution of a spec at one git commit, with its phases.",
  z.object({
    run_id: UuidSchema,
    tenant_id: z.string(),
    spec_slug: SpecSlugSchema,
    git_sha: GitShaSchema,
    environment: EnvironmentSchema,
    status: RunStatusSchema,
    phases: z.array(PhaseSchema),
    input_manifest: JsonObjectSchema,
    output_manifest: JsonObjectSchema.nullable(),
    labels: z.record(z.string(), z.string()),
    cancel_requested: z.boolean(),
    created_at: TimestampSchema,
    started_at: TimestampSchema.nullable(),
    finished_at: TimestampSchema.nullable(),
  }),
);
export type Run = z.output<typeof RunSchema>;

export const CancelRunRequestSchema = named(
  "CancelRunRequest",
  "The body of POST /ops/runs/{run_id}/cancel.",
  z.object({ reason: z.string().max(2_000).optional() }),
);
export type CancelRunRequest = z.input<typeof CancelRunRequestSchema>;

export const ListRunsQuerySchema = named(
  "ListRunsQuery",
  "Query parameters of GET /ops/runs.",
  z.object({
    status: RunStatusSchema.optional(),
    spec_slug: SpecSlugSchema.optional(),
    environment: EnvironmentSchema.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(512).optional().describe("`next_cursor` of the previous page."),
  }),
);
/** Query of GET /ops/runs as a client writes it (every field optional). */
export type ListRunsQuery = Partial<z.output<typeof ListRunsQuerySchema>>;

export const RunListSchema = named(
  "RunList",
  "A page of runs, newest first.",
  z.object({ items: z.array(RunSchema), next_cursor: z.string().nullable() }),
);
export type RunList = z.output<typeof RunListSchema>;
