import { type CliIo, processIo } from "./cli-io.js";
import { DEMO_USAGE, demoCommand } from "./commands/demo.js";
import { EVENTS_USAGE, eventsCommand } from "./commands/events.js";
import { MCP_USAGE, mcpCommand } from "./commands/mcp.js";
import { REBUILD_USAGE, rebuildCommand } from "./commands/rebuild.js";
import { ROLLBACK_USAGE, rollbackCommand } from "./commands/rollback.js";
import { RUNS_USAGE, runsCommand } from "./commands/runs.js";
import { SERVE_USAGE, serveCommand } from "./commands/serve.js";
import { TABLE_USAGE, tableCommand } from "./commands/table.js";
import { TOKEN_USAGE, tokenCommand } from "./commands/token.js";
import { isUsageError } from "./usage-error.js";

const COMMANDS = {
  demo: {
    run: demoCommand,
    usage: DEMO_USAGE,
    summary: "run the Odoo finance pipeline, all embedded",
  },
  serve: { run: serveCommand, usage: SERVE_USAGE, summary: "run the control plane" },
  token: { run: tokenCommand, usage: TOKEN_USAGE, summary: "print a bearer token" },
  runs: { run: runsCommand, usage: RUNS_USAGE, summary: "list runs, show one: runs list|show" },
  events: {
    run: eventsCommand,
    usage: EVENTS_USAGE,
    summary: "follow a run's events: events tail",
  },
  table: {
    run: tableCommand,
    usage: TABLE_USAGE,
    summary: "Delta tables: table read|history URI",
  },
  rollback: {
    run: rollbackCommand,
    usage: ROLLBACK_USAGE,
    summary: "restore a run's silver and gold tables, as an audited run",
  },
  rebuild: {
    run: rebuildCommand,
    usage: REBUILD_USAGE,
    summary: "re-run a run from its pinned inputs and compare every output hash",
  },
  mcp: {
    run: mcpCommand,
    usage: MCP_USAGE,
    summary: "serve the control plane as MCP tools for agents",
  },
} as const;

type CommandName = keyof typeof COMMANDS;

/** The top-level help text. */
export const USAGE = `Usage: controlroom <command> [flags]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(10)}${command.summary}`)
  .join("\n")}

Run \`controlroom <command> --help\` for its flags.`;

/**
 * Runs the `controlroom` command line and returns the exit status: 0 on success, 1
 * when the command failed, 2 when it was called wrongly (the message and the usage go
 * to stderr).
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(["token", "--tenant", "acme", "--role", "viewer"]);
 * ```
 */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    (name === undefined ? io.stderr : io.stdout)(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (!Object.hasOwn(COMMANDS, name)) {
    io.stderr(`controlroom: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  const command = COMMANDS[name as CommandName];
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (isUsageError(error)) {
      io.stderr(`controlroom ${name}: ${error.message}\n\n${error.usage ?? command.usage}`);
      return 2;
    }
    io.stderr(`controlroom ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
