import type { ENDPOINTS, EndpointName } from "@controlroom/contract";
import type { AuthClaims } from "../ops-store.js";
import type { EndpointReply, ReplyContext } from "./endpoint-reply.js";

/** The Hono environment of the control plane app: per-request variables. */
export interface ControlPlaneEnv {
  Variables: {
    /** The `x-request-id` this request is answered with. */
    requestId: string;
    /** The operation id of the matched endpoint, for metrics and logs. */
    route: string;
    /** The status of a reply written straight to Node's response (see `sendReply`). */
    sentStatus: number | undefined;
  };
}

// What a contract schema parses to, read structurally so this package needs no zod import.
type Parsed<S> = S extends { safeParse(value: unknown): infer R }
  ? R extends { success: true; data: infer D }
    ? D
    : never
  : undefined;

// `/ops/runs/{run_id}/events` → "run_id".
type ParamNames<P extends string> = P extends `${string}{${infer N}}${infer Rest}`
  ? N | ParamNames<Rest>
  : never;

type Endpoint<K extends EndpointName> = (typeof ENDPOINTS)[K];

/** What an endpoint handler gets: everything already authenticated and validated. */
export interface EndpointInput<K extends EndpointName> {
  /** Reads the request and builds the reply: `c.json(value, status)`, `c.body(…)`. */
  c: ReplyContext;
  /** The verified caller (endpoints without auth get `undefined`). */
  claims: Endpoint<K>["auth"] extends true ? AuthClaims : AuthClaims | undefined;
  /** Path parameters, validated against the contract's `PATH_PARAMS`. */
  params: { [N in ParamNames<Endpoint<K>["path"]>]: string };
  /** The body parsed with the endpoint's schema, defaults applied. */
  body: Endpoint<K> extends { body: infer S } ? Parsed<S> : undefined;
  /** The query parsed with the endpoint's schema, defaults applied. */
  query: Endpoint<K> extends { query: infer S } ? Parsed<S> : undefined;
  /** Aborts when the client goes away or the server shuts down. */
  signal: AbortSignal;
}

/** Answers one endpoint of the contract. */
export type EndpointHandler<K extends EndpointName> = (
  input: EndpointInput<K>,
) => Promise<EndpointReply>;

/** One handler per endpoint of the contract; the compiler checks none is missing. */
export type EndpointHandlers = { [K in EndpointName]: EndpointHandler<K> };
