import { z } from "zod";
import { JsonObjectSchema, PhaseNameSchema, TimestampSchema, UuidSchema } from "./common.js";
import { named } from "./registry.js";

/** 64 lowercase hex characters: the SHA-256 of an artifact's bytes. */
export const Sha256Schema = z
  .string()
  .regex(/^[0-9a-f]{64}$/, "sha256 must be 64 lowercase hex characters");

export const ArtifactLinkInputSchema = named(
  "ArtifactLinkRequest",
  "Where an artifact belongs: a run, a phase of it, and a name.",
  z.object({
    run_id: UuidSchema,
    phase: PhaseNameSchema.nullable().optional(),
    name: z.string().min(1).max(512),
  }),
);

export const RegisterArtifactRequestSchema = named(
  "RegisterArtifactRequest",
  "The body of POST /ops/artifacts.",
  z.object({
    sha256: Sha256Schema,
    size_bytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    media_type: z.string().min(1).max(255),
    uri: z
      .string()
      .min(1)
      .max(2_048)
      .regex(/^[a-z][a-z0-9+.-]*:\/\//, "uri must be absolute, e.g. file:///… or s3://bucket/…"),
    metadata: JsonObjectSchema.optional(),
    link: ArtifactLinkInputSchema.optional(),
  }),
);
export type RegisterArtifactRequest = z.input<typeof RegisterArtifactRequestSchema>;

export const ArtifactLinkSchema = named(
  "ArtifactLink",
  "A link from a run (and phase) to an artifact, under a name.",
  z.object({
    run_id: UuidSchema,
    phase: z.string().nullable(),
    name: z.string(),
    created_at: TimestampSchema,
  }),
);
export type ArtifactLink = z.output<typeof ArtifactLinkSchema>;

export const ArtifactSchema = named(
  "Artifact",
  "An immutable, content-addressed blob and the runs that link it.",
  z.object({
    sha256: Sha256Schema,
    size_bytes: z.number().int().min(0),
    media_type: z.string(),
    uri: z.string(),
    metadata: JsonObjectSchema,
    created_at: TimestampSchema,
    links: z.array(ArtifactLinkSchema),
  }),
);
export type Artifact = z.output<typeof ArtifactSchema>;
