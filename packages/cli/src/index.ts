export { type CliIo, processIo } from "./cli-io.js";
export { serveCommand } from "./commands/serve.js";
export { tokenCommand } from "./commands/token.js";
export { DEFAULT_DATA_DIR, DEFAULT_PORT, DEFAULT_TENANT, DEFAULT_URL } from "./defaults.js";
export { createMcpServer, type McpServerOptions } from "./mcp/create-mcp-server.js";
export {
  MCP_HTTP_PATH,
  type McpHttpServerOptions,
  type RunningMcpHttpServer,
  startMcpHttpServer,
} from "./mcp/serve-mcp-http.js";
export { runCli, USAGE } from "./run-cli.js";
export { isUsageError, UsageError } from "./usage-error.js";
