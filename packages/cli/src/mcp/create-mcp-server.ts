import { CONTRACT_VERSION, issuesFromZod, type ToolName } from "@controlroom/contract";
import type { ControlRoomClient } from "@controlroom/sdk";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from "@modelcontextprotocol/sdk/types.js";
import { mcpTools } from "./mcp-tools.js";
import { TOOL_HANDLERS, toolSpec } from "./tool-handlers.js";
import { ToolInputError } from "./tool-input-error.js";
import { toolError, toolSuccess } from "./tool-result.js";

/** Options of {@link createMcpServer}. */
export interface McpServerOptions {
  /** The SDK client every tool calls the control plane with; its token decides what is allowed. */
  client: ControlRoomClient;
}

const INSTRUCTIONS = `Control Room runs data pipelines as runs of ordered phases.
To execute a phase: claim (returns a lease), heartbeat before expires_at, append_events
to record progress, then complete_phase with the lease_token. A lease_lost error means
another attempt owns the phase: stop working on it. Errors start with the contract's
error code (validation_failed, forbidden, not_found, lease_lost, ...).`;

/**
 * An MCP server whose tools are the contract's tool definitions (`TOOL_SPECS`), each
 * calling the control plane through the SDK. Arguments are validated with the
 * contract's zod schemas before any call; every failure, of validation or of the call,
 * comes back as a tool error (`isError: true`) whose text starts with the contract's
 * error code. Connect it to any MCP transport.
 *
 * The tool list and calls are served by handlers on the underlying protocol server
 * rather than `registerTool`, so that clients see the contract's JSON Schemas exactly
 * as `tools.json` has them and bad arguments get the contract's error code.
 *
 * @example
 * ```ts
 * import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
 * const server = createMcpServer({ client: new ControlRoomClient() });
 * await server.connect(new StdioServerTransport());
 * ```
 */
export function createMcpServer(options: McpServerOptions): McpServer {
  const server = new McpServer(
    { name: "controlroom", title: "Control Room", version: CONTRACT_VERSION },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  );
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: mcpTools() }));
  server.server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
    callTool(options.client, request.params.name, request.params.arguments, extra.signal),
  );
  return server;
}

async function callTool(
  client: ControlRoomClient,
  name: string,
  args: Record<string, unknown> | undefined,
  signal: AbortSignal,
): Promise<CallToolResult> {
  const spec = toolSpec(name);
  if (spec === undefined) {
    // A name that was never listed is the client's mistake, not the model's.
    throw new McpError(ErrorCode.InvalidParams, `unknown tool "${name}"`);
  }
  try {
    const parsed = spec.input.safeParse(args ?? {});
    if (!parsed.success) throw new ToolInputError(issuesFromZod(parsed.error));
    const handler = TOOL_HANDLERS[name as ToolName] as (
      client: ControlRoomClient,
      input: unknown,
      signal: AbortSignal,
    ) => Promise<unknown>;
    const value = await handler(client, parsed.data, signal);
    return toolSuccess(value, "nothing: no phase is runnable now (no lease was taken)");
  } catch (error) {
    return toolError(error);
  }
}
