import { randomUUID } from "node:crypto";
import {
  type CreateRunRequest,
  type CreateRunRequestParsed,
  CreateRunRequestSchema,
  type Event,
  type PhaseSpecInput,
  type Role,
} from "@controlroom/contract";
import type { AuthClaims } from "../src/ops-store.js";

/** Claims of a fresh tenant with `role`. */
export function claimsFor(role: Role, tenant = `tenant-${randomUUID()}`): AuthClaims {
  return { sub: `${role}-${randomUUID().slice(0, 8)}`, tenant_id: tenant, role };
}

/** The same tenant under another role. */
export function asRole(claims: AuthClaims, role: Role): AuthClaims {
  return { ...claims, sub: `${role}-${claims.sub}`, role };
}

/** Retry settings that keep tests fast: tiny backoff, three attempts unless overridden. */
export const FAST_RETRY = {
  max_attempts: 3,
  initial_interval_ms: 10,
  backoff_coefficient: 2,
  max_interval_ms: 1_000,
} as const;

/** A parsed create-run body (defaults applied, as the HTTP layer hands the store). */
export function runBody(
  phases: PhaseSpecInput[],
  overrides: Partial<Omit<CreateRunRequest, "phases">> = {},
): CreateRunRequestParsed {
  return CreateRunRequestSchema.parse({
    spec_slug: "odoo-finance",
    git_sha: "0123456789abcdef0123456789abcdef01234567",
    environment: "dev",
    input_manifest: { source: "odoo", watermark: "2026-01-01" },
    phases,
    ...overrides,
  });
}

/** A phase spec with fast retries. */
export function phase(name: string, extra: Partial<PhaseSpecInput> = {}): PhaseSpecInput {
  return { name, kind: "custom", retry: FAST_RETRY, ...extra };
}

/** A claim body with a fresh request id. */
export function claimBody(
  executor = "exec-1",
  extra: { capabilities?: string[]; lease_seconds?: number } = {},
) {
  return {
    executor_id: executor,
    capabilities: extra.capabilities ?? [],
    request_id: randomUUID(),
    ...(extra.lease_seconds === undefined ? {} : { lease_seconds: extra.lease_seconds }),
  };
}

/** Types of a run's events in seq order, as `TYPE` or `TYPE:phase`. */
export function trail(events: Event[]): string[] {
  return events.map((event) => (event.phase ? `${event.type}:${event.phase}` : event.type));
}
