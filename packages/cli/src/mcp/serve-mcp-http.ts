import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ControlRoomClient } from "@controlroom/sdk";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { createMcpServer } from "./create-mcp-server.js";
import { hostIsAllowed, isLoopbackHost } from "./loopback-host.js";

/** The path the MCP endpoint is served at. */
export const MCP_HTTP_PATH = "/mcp";

/** Options of {@link startMcpHttpServer}. */
export interface McpHttpServerOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Interface to listen on. Bound to a loopback address, requests must name a loopback host (against DNS rebinding). */
  host: string;
  /** The token for requests that bring none; without it, every request needs `Authorization: Bearer`. */
  token: string | undefined;
  /** Makes the SDK client of one request, for the token it is made with. */
  clientFor(token: string): ControlRoomClient;
}

/** A running MCP HTTP server. */
export interface RunningMcpHttpServer {
  /** The MCP endpoint, e.g. `http://127.0.0.1:7401/mcp`. */
  url: string;
  /** Stops accepting requests and ends open ones. */
  close(): Promise<void>;
}

/**
 * Serves the MCP server over streamable HTTP, statelessly: every POST to `/mcp` gets a
 * fresh server and transport, and answers with JSON. A request's own
 * `Authorization: Bearer <JWT>` is the token its tool calls use, so each agent acts
 * with its own role; without one, the server's token (if any) is used.
 *
 * @example
 * ```ts
 * const mcp = await startMcpHttpServer({ port: 0, host: "127.0.0.1", token,
 *   clientFor: (t) => new ControlRoomClient({ baseUrl, token: t }) });
 * console.log(mcp.url);
 * ```
 */
export async function startMcpHttpServer(
  options: McpHttpServerOptions,
): Promise<RunningMcpHttpServer> {
  const checkHost = isLoopbackHost(options.host);
  const http = createServer((req, res) => {
    handle(req, res, options, checkHost).catch((error: unknown) => {
      if (!res.headersSent) {
        jsonRpcError(res, 500, -32603, error instanceof Error ? error.message : String(error));
      } else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port, options.host, () => {
      http.off("error", reject);
      resolve();
    });
  });
  const { port } = http.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}${MCP_HTTP_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: McpHttpServerOptions,
  checkHost: boolean,
): Promise<void> {
  if (new URL(req.url ?? "/", "http://localhost").pathname !== MCP_HTTP_PATH) {
    return jsonRpcError(res, 404, -32601, `not found: the MCP endpoint is ${MCP_HTTP_PATH}`);
  }
  if (checkHost && !hostIsAllowed(req.headers.host)) {
    return jsonRpcError(res, 403, -32600, "forbidden: the Host header is not a loopback name");
  }
  if (req.method !== "POST") {
    // Stateless: no session to stream to or to delete.
    res.setHeader("allow", "POST");
    return jsonRpcError(res, 405, -32000, "method not allowed: POST JSON-RPC messages");
  }
  const authorization = req.headers.authorization;
  let token = options.token;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) {
      res.setHeader("www-authenticate", "Bearer");
      return jsonRpcError(res, 401, -32001, "unauthorized: Authorization must be `Bearer <JWT>`");
    }
    token = match[1];
  }
  if (token === undefined) {
    res.setHeader("www-authenticate", "Bearer");
    return jsonRpcError(res, 401, -32001, "unauthorized: send Authorization: Bearer <JWT>");
  }
  const server = createMcpServer({ client: options.clientFor(token) });
  // No session id generator: stateless mode.
  const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true });
  res.on("close", () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res);
}

function jsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}
