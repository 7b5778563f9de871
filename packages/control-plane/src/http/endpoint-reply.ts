import type { Context } from "hono";
import type { ControlPlaneEnv } from "./endpoint-handler.js";

/**
 * An endpoint's answer before it is a `Response`: on the Node server it is written
 * straight to the socket (see `sendReply`), and only `app.request()` and other
 * runtimes get a `Response` built from it.
 */
export interface EndpointReply {
  status: number;
  /** The body as sent: JSON text, Prometheus text, or null for none. */
  body: string | null;
  headers: Record<string, string>;
}

/**
 * The part of Hono's `Context` that endpoint handlers use, with the same names: read
 * the request (`req`), set a header, answer with JSON or a body. Its answers are
 * {@link EndpointReply}s rather than `Response`s. Building a `Response` (a web stream
 * for the body, a `Headers` object) and then having the Node adapter read it back
 * cost more CPU per request than the rest of the HTTP layer; handlers do not need it.
 *
 * @example
 * ```ts
 * const handler: EndpointHandler<"getRun"> = async ({ c, claims, params }) =>
 *   c.json(await store.getRun(claims, params.run_id), 200);
 * ```
 */
export class ReplyContext {
  /** The request, as Hono reads it (`header()`, `param()`, `query()`, `raw`). */
  readonly req: Context<ControlPlaneEnv>["req"];
  #headers: Record<string, string> | undefined;

  constructor(req: Context<ControlPlaneEnv>["req"]) {
    this.req = req;
  }

  /** Sets a response header (lower-case names; a later call for a name wins). */
  header(name: string, value: string): void {
    this.#headers ??= {};
    this.#headers[name.toLowerCase()] = value;
  }

  /** `data` as `application/json` with `status`. */
  json(data: unknown, status = 200): EndpointReply {
    const body = JSON.stringify(data);
    if (body === undefined) throw new TypeError("the reply is not JSON-serialisable");
    return { status, body, headers: { ...this.#headers, "content-type": "application/json" } };
  }

  /** `body` as is with `status`; `headers` add to (and win over) those set before. */
  body(body: string | null, status = 200, headers?: Record<string, string>): EndpointReply {
    const all = { ...this.#headers };
    if (headers) for (const name of Object.keys(headers)) all[name.toLowerCase()] = headers[name]!;
    return { status, body, headers: all };
  }
}
