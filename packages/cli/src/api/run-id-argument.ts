import { UuidSchema } from "@controlroom/contract";
import { UsageError } from "../usage-error.js";

/**
 * The one RUN_ID argument of a command, checked to be a UUID as the API requires, so a
 * typo is a usage error (exit 2) rather than a request the server rejects.
 *
 * @example
 * ```ts
 * const runId = runIdArgument(positionals);
 * ```
 */
export function runIdArgument(positionals: string[]): string {
  if (positionals.length === 0) throw new UsageError("missing RUN_ID");
  if (positionals.length > 1) throw new UsageError("expected exactly one RUN_ID");
  const runId = (positionals[0] as string).toLowerCase();
  if (!UuidSchema.safeParse(runId).success) {
    throw new UsageError(`RUN_ID must be a UUID, not "${positionals[0]}"`);
  }
  return runId;
}
