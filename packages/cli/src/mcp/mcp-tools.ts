import { type ToolName, toolDefinitions } from "@controlroom/contract";
import type { Tool, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";

// Hints for clients that ask before running tools with side effects. No tool reaches
// outside the control plane, hence `openWorldHint: false` throughout.
const READ = { readOnlyHint: true, openWorldHint: false } as const;
const WRITE = { readOnlyHint: false, destructiveHint: false, openWorldHint: false } as const;

const ANNOTATIONS: Readonly<Record<ToolName, ToolAnnotations>> = {
  create_run: { title: "Create a run", ...WRITE, idempotentHint: false },
  claim: { title: "Claim a phase", ...WRITE, idempotentHint: false },
  heartbeat: { title: "Heartbeat a lease", ...WRITE, idempotentHint: true },
  append_events: { title: "Append events", ...WRITE, idempotentHint: true },
  register_artifact: { title: "Register an artifact", ...WRITE, idempotentHint: true },
  complete_phase: { title: "Complete a phase", ...WRITE, idempotentHint: true },
  get_run: { title: "Get a run", ...READ },
  list_runs: { title: "List runs", ...READ },
  list_events: { title: "List a run's events", ...READ },
  cancel_run: {
    title: "Cancel a run",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: false,
  },
  // A rollback rewrites the live tables (history keeps every version).
  request_rollback: {
    title: "Request a rollback",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: false,
    openWorldHint: false,
  },
  request_rebuild: { title: "Request a rebuild", ...WRITE, idempotentHint: false },
};

/**
 * The MCP tool list: the contract's tool definitions (`tools.json`) with their JSON
 * Schemas as they are, plus a title and hints for each. Built once; the schemas do not
 * change while the process runs.
 *
 * @example
 * ```ts
 * const names = mcpTools().map((tool) => tool.name); // ["create_run", "claim", …]
 * ```
 */
export function mcpTools(): Tool[] {
  cached ??= toolDefinitions().map((definition) => {
    const annotations = ANNOTATIONS[definition.name as ToolName];
    return {
      name: definition.name,
      title: annotations.title,
      description: definition.description,
      inputSchema: definition.input_schema as Tool["inputSchema"],
      annotations,
    };
  });
  return cached;
}
let cached: Tool[] | undefined;
