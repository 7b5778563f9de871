import { TOOL_SPECS } from "@controlroom/contract";
import {
  CONNECTION_FLAGS,
  CONNECTION_USAGE,
  cliClient,
  connectionSettings,
  NO_TOKEN,
} from "../api/connect-client.js";
import type { CliIo } from "../cli-io.js";
import { isLoopbackHost } from "../mcp/loopback-host.js";
import { parseFlags } from "../parse-flags.js";
import { UsageError } from "../usage-error.js";

/** The port `controlroom mcp --http` listens on by default. */
export const DEFAULT_MCP_PORT = 7401;

const USER_AGENT = "controlroom-mcp";

export const MCP_USAGE = `Usage: controlroom mcp [--http [--port ${DEFAULT_MCP_PORT}] [--host 127.0.0.1]] [connection flags]

Serves the control plane as Model Context Protocol tools, the contract's tool
definitions: ${TOOL_SPECS.map((spec) => spec.name).join(", ")}.
Each call goes to the control plane through the SDK with the token, whose role decides
what is allowed; failures come back as tool errors that start with the contract's
error code (validation_failed, forbidden, not_found, lease_lost, …).
  (default)  stdio: for an MCP client that starts this command (Claude Desktop, Codex, …);
             stdout carries the protocol, messages go to stderr
  --http     streamable HTTP at http://HOST:PORT/mcp instead, until SIGINT/SIGTERM; a
             request's own Authorization: Bearer token wins over the server's
  --port     with --http: TCP port (0 picks a free one)   default ${DEFAULT_MCP_PORT}
  --host     with --http: interface to listen on          default 127.0.0.1
${CONNECTION_USAGE}`;

/**
 * `controlroom mcp`: an MCP server over stdio (the default) or streamable HTTP
 * (`--http`), whose tools call the control plane at `--url` with `--token` (or
 * CONTROLROOM_URL / CONTROLROOM_TOKEN, or a token signed from `--data-dir`).
 *
 * @example
 * ```ts
 * process.exitCode = await mcpCommand(["--url", url, "--token", token], processIo());
 * ```
 */
export async function mcpCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, {
    http: { type: "boolean" },
    port: { type: "string", short: "p" },
    host: { type: "string" },
    ...CONNECTION_FLAGS,
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(MCP_USAGE);
    return 0;
  }
  if (!values.http && (values.port !== undefined || values.host !== undefined)) {
    throw new UsageError("--port and --host go with --http");
  }
  // The server runs for hours: a token signed from --data-dir must outlive a session.
  const { url, token } = await connectionSettings(values, io, { signedTokenExpiresIn: "30d" });

  // The MCP modules load here, not at the top: the MCP SDK would slow down the start of
  // every other command.
  if (!values.http) {
    if (token === undefined) throw new UsageError(NO_TOKEN);
    const { createMcpServer } = await import("../mcp/create-mcp-server.js");
    const { serveMcpStdio } = await import("../mcp/serve-mcp-stdio.js");
    const server = createMcpServer({ client: cliClient(url, token, USER_AGENT) });
    io.stderr(`controlroom mcp: ${TOOL_SPECS.length} tools over stdio, calling ${url}`);
    await serveMcpStdio(server, { stop: io.waitForStop() });
    return 0;
  }

  const port = parsePort(values.port);
  const host = values.host ?? "127.0.0.1";
  if (host.trim() === "") throw new UsageError("--host must not be empty");
  const { startMcpHttpServer } = await import("../mcp/serve-mcp-http.js");
  const mcp = await startMcpHttpServer({
    port,
    host,
    token,
    clientFor: (requestToken) => cliClient(url, requestToken, USER_AGENT),
  });
  io.stdout(`Control Room MCP server (streamable HTTP) listening on ${mcp.url}`);
  io.stdout(`tools call the control plane at ${url}`);
  if (token === undefined) io.stdout("no server token: requests must send Authorization: Bearer");
  if (!isLoopbackHost(host) && token !== undefined) {
    io.stderr(
      `controlroom mcp: warning: listening on ${host} with a server token: anyone who can reach it acts with that token`,
    );
  }
  io.stdout("Press Ctrl+C to stop.");
  const signal = await io.waitForStop();
  io.stdout(`${signal}: stopping…`);
  await mcp.close();
  io.stdout("stopped");
  return 0;
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MCP_PORT;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) {
    throw new UsageError(`--port must be a number from 0 to 65535, not "${value}"`);
  }
  return Number(value);
}
