export { type CliIo, processIo } from "./cli-io.js";
export { serveCommand } from "./commands/serve.js";
export { tokenCommand } from "./commands/token.js";
export { DEFAULT_DATA_DIR, DEFAULT_PORT, DEFAULT_TENANT, DEFAULT_URL } from "./defaults.js";
export { runCli, USAGE } from "./run-cli.js";
export { isUsageError, UsageError } from "./usage-error.js";
