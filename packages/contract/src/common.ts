import { z } from "zod";
import { named } from "./registry.js";

/** A UUID as a string (v7, time-ordered, preferred). */
export const UuidSchema = z.uuid();

/** An RFC 3339 timestamp; the server always answers in UTC with a `Z`. */
export const TimestampSchema = z.iso.datetime({ offset: true });

/** A git commit id: 40 (SHA-1) or 64 (SHA-256) lowercase hex characters. */
export const GitShaSchema = named(
  "GitSha",
  "A git commit id: 40 or 64 lowercase hex characters.",
  z
    .string()
    .regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/, "git_sha must be 40 or 64 lowercase hex characters"),
);

/** The slug of the spec a run was made from, e.g. `odoo-finance`. */
export const SpecSlugSchema = named(
  "SpecSlug",
  "The slug of the spec a run was made from.",
  z
    .string()
    .regex(/^[a-z0-9][a-z0-9._/-]{0,127}$/, "spec_slug must match ^[a-z0-9][a-z0-9._/-]{0,127}$"),
);

/** A phase name, unique within its run. */
export const PhaseNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,63}$/, "phase names must match ^[a-z][a-z0-9_-]{0,63}$");

export const ENVIRONMENTS = ["dev", "stage", "prod"] as const;
export const EnvironmentSchema = named(
  "Environment",
  "The environment a run belongs to.",
  z.enum(ENVIRONMENTS),
);
export type Environment = z.infer<typeof EnvironmentSchema>;

/** A JSON object with any members (parsed JSON, so every value is JSON). */
export const JsonObjectSchema = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof JsonObjectSchema>;

/** String labels on a run, for filtering and grouping. */
export const LabelsSchema = z
  .record(
    z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/, "label keys must be 1–63 safe characters"),
    z.string().max(256),
  )
  .refine((labels) => Object.keys(labels).length <= 64, "at most 64 labels");

/** The caller's role, from the JWT `role` claim. */
export const ROLES = ["viewer", "executor", "operator", "admin"] as const;
export const RoleSchema = named("Role", "The caller's role.", z.enum(ROLES));
export type Role = z.infer<typeof RoleSchema>;

/** Byte length of a string in UTF-8, without depending on Node's Buffer. */
export function utf8ByteLength(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}
