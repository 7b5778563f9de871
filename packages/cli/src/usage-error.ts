/**
 * A mistake in how the command was called (unknown flag, missing or bad value). The
 * CLI prints its message and the command's usage and exits with status 2.
 *
 * @example
 * ```ts
 * throw new UsageError("--role must be one of viewer, executor, operator, admin");
 * ```
 */
export class UsageError extends Error {
  override readonly name = "UsageError";
  /**
   * The usage to print with the message, when it is not the command's own (a
   * subcommand's, set by the group that ran it).
   */
  usage?: string | undefined;
}

/** True for a {@link UsageError}, also across bundled copies. */
export function isUsageError(value: unknown): value is UsageError {
  return value instanceof UsageError || (value as { name?: unknown } | null)?.name === "UsageError";
}
