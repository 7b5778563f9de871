import type { ValidationIssue } from "@controlroom/contract";

/**
 * Arguments a tool refuses before any call is made: the MCP server answers with a
 * `validation_failed` tool error listing `issues`, as the control plane would.
 *
 * @example
 * ```ts
 * throw new ToolInputError([{ path: "wait_ms", message: "only for a claim across runs" }]);
 * ```
 */
export class ToolInputError extends Error {
  override readonly name = "ToolInputError";
  readonly code = "validation_failed";
  readonly issues: ValidationIssue[];

  constructor(issues: ValidationIssue[], message = "the tool's arguments are not valid") {
    super(message);
    this.issues = issues;
  }
}

/** True for a {@link ToolInputError}, also across bundled copies. */
export function isToolInputError(value: unknown): value is ToolInputError {
  return (
    value instanceof ToolInputError ||
    (value as { name?: unknown } | null)?.name === "ToolInputError"
  );
}
