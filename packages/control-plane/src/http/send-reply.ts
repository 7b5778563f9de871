import type { ServerResponse } from "node:http";
import { CONTRACT_VERSION, CONTRACT_VERSION_HEADER } from "@controlroom/contract";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import type { Context } from "hono";
import type { ControlPlaneEnv } from "./endpoint-handler.js";
import type { EndpointReply } from "./endpoint-reply.js";
import { REQUEST_ID_HEADER } from "./request-id.js";

/**
 * Answers a request with an endpoint's reply. On the Node server (the adapter passes
 * Node's response as `c.env.outgoing`) it writes status, headers and body to it at
 * once, with the headers every response carries, and returns the adapter's "already
 * sent" marker; it records the status as the `sentStatus` variable for the app's
 * outermost middleware. Elsewhere (`app.request()`, other runtimes) it returns a
 * `Response` and that middleware adds the common headers as for any response.
 *
 * @example
 * ```ts
 * return sendReply(c, await handler(input));
 * ```
 */
export function sendReply(c: Context<ControlPlaneEnv>, reply: EndpointReply): Response {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (!outgoing) {
    return new Response(reply.body, { status: reply.status, headers: reply.headers });
  }
  c.set("sentStatus", reply.status);
  // Nothing to write to: the client is gone (a long-poll it gave up on), or an answer
  // already went out.
  if (outgoing.destroyed || outgoing.headersSent) return RESPONSE_ALREADY_SENT;
  const headers = reply.headers;
  headers[CONTRACT_VERSION_HEADER] = CONTRACT_VERSION;
  headers[REQUEST_ID_HEADER] = c.get("requestId");
  if (reply.body !== null) {
    // Given up front, or Node would fall back to chunked encoding after writeHead.
    headers["content-length"] = String(Buffer.byteLength(reply.body));
    headers["content-type"] ??= "text/plain; charset=UTF-8";
  }
  outgoing.writeHead(reply.status, headers);
  outgoing.end(reply.body ?? undefined);
  return RESPONSE_ALREADY_SENT;
}
