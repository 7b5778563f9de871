import { issuesFromZod } from "@controlroom/contract";
import { ControlPlaneError } from "../control-plane-error.js";

// The zod error type, reached through the contract so this package needs no zod import.
type ZodError = Parameters<typeof issuesFromZod>[0];

/** The structural subset of a zod schema that {@link parseInput} needs. */
export interface InputSchema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: ZodError };
}

/**
 * Parses request input with a contract schema (defaults applied), or throws a
 * `validation_failed` `ControlPlaneError` whose issues are prefixed with where the
 * input came from (`body`, `query`, `path`), e.g. `body.phases.0.name`.
 *
 * @example
 * ```ts
 * const body = parseInput(CreateRunRequestSchema, json, "body");
 * ```
 */
export function parseInput<T>(schema: InputSchema<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = issuesFromZod(result.error).map((issue) => ({
    path: issue.path.length > 0 ? `${where}.${issue.path}` : where,
    message: issue.message,
  }));
  const first = issues[0];
  const detail =
    issues.length === 1 && first
      ? `invalid ${where}: ${first.path}: ${first.message}`
      : `invalid ${where}: ${issues.length} problems, see errors`;
  throw new ControlPlaneError("validation_failed", detail, { issues });
}
