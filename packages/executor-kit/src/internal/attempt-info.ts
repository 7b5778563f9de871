import type { Environment, JsonObject, PhaseKind } from "@controlroom/contract";

/** What an attempt knows about its run and phase: a lease's fields, or a test's fakes. */
export interface AttemptInfo {
  run_id: string;
  phase: string;
  kind: PhaseKind;
  spec_slug: string;
  git_sha: string;
  environment: Environment;
  attempt: number;
  input_manifest: JsonObject;
  /** The params as the run spec gives them, before the phase's schema parses them. */
  params: JsonObject;
  upstream: Record<string, JsonObject | null>;
}
