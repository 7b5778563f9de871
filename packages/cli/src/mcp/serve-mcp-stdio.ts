import type { Readable, Writable } from "node:stream";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";

/** Options of {@link serveMcpStdio}. */
export interface ServeMcpStdioOptions {
  /** @default process.stdin */
  stdin?: Readable | undefined;
  /** @default process.stdout */
  stdout?: Writable | undefined;
  /** Resolves when the process is asked to stop (SIGINT, SIGTERM). */
  stop: Promise<unknown>;
}

/**
 * Serves `server` over stdio (newline-delimited JSON-RPC) until the client closes
 * stdin, or `stop` resolves, then closes it. Nothing else may write to stdout
 * meanwhile: it is the protocol's channel.
 *
 * @example
 * ```ts
 * await serveMcpStdio(createMcpServer({ client }), { stop: io.waitForStop() });
 * ```
 */
export async function serveMcpStdio(
  server: McpServer,
  options: ServeMcpStdioOptions,
): Promise<void> {
  const stdin = options.stdin ?? process.stdin;
  const transport = new StdioServerTransport(stdin, options.stdout ?? process.stdout);
  // MCP clients end a stdio server by closing its stdin (then signalling it).
  const ended = new Promise<void>((resolve) => {
    stdin.once("end", resolve);
    stdin.once("close", resolve);
    server.server.onclose = resolve;
  });
  await server.connect(transport);
  await Promise.race([ended, options.stop]);
  await server.close();
}
