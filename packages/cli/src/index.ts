export { type CliIo, processIo } from "./cli-io.js";
export { DEFAULT_PORT, serveCommand } from "./commands/serve.js";
export { tokenCommand } from "./commands/token.js";
export { DEFAULT_DATA_DIR, DEFAULT_TENANT } from "./defaults.js";
export { runCli, USAGE } from "./run-cli.js";
export { isUsageError, UsageError } from "./usage-error.js";
