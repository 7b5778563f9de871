import {
  ENDPOINTS,
  type EndpointDefinition,
  type EndpointName,
  PATH_PARAMS,
} from "@controlroom/contract";
import type { Hono } from "hono";
import type { VerifiedTokenCache } from "../auth/verified-token-cache.js";
import type { AuthClaims } from "../ops-store.js";
import { authenticate } from "./authenticate.js";
import type { NormalizedAppOptions } from "./control-plane-app-options.js";
import type { ControlPlaneEnv, EndpointHandler, EndpointInput } from "./endpoint-handler.js";
import { ReplyContext } from "./endpoint-reply.js";
import { parseInput } from "./parse-input.js";
import { assertDeclaredLength, readJsonBody } from "./read-json-body.js";
import { sendReply } from "./send-reply.js";

/** `/ops/runs/{run_id}` → `/ops/runs/:run_id`. */
export function honoPath(path: string): string {
  return path.replace(/\{([a-z_0-9]+)\}/g, ":$1");
}

/**
 * Mounts one endpoint of the contract's `ENDPOINTS` table on `app`, so method, path,
 * roles and schemas come from the contract and are never restated. Before the handler
 * runs: a declared body over the limit is 413; the bearer token and role are checked
 * (401/403); path parameters, query and body are validated with the contract's
 * schemas (400, defaults applied). The handler's reply goes out through `sendReply`
 * (straight to the socket on the Node server). Errors are thrown as
 * `ControlPlaneError`s for the app's error handler to turn into problem documents.
 * `tokens` verifies bearer tokens (and remembers them until they expire); the app
 * shares one across its endpoints.
 *
 * @example
 * ```ts
 * mountEndpoint(app, "getRun", async ({ c, claims, params }) =>
 *   c.json(await store.getRun(claims, params.run_id)), options, tokens);
 * ```
 */
export function mountEndpoint<K extends EndpointName>(
  app: Hono<ControlPlaneEnv>,
  name: K,
  handler: EndpointHandler<K>,
  options: NormalizedAppOptions,
  tokens: VerifiedTokenCache,
): void {
  const endpoint: EndpointDefinition = ENDPOINTS[name];
  const paramNames = [...endpoint.path.matchAll(/\{([a-z_0-9]+)\}/g)].map(
    (match) => match[1] as keyof typeof PATH_PARAMS,
  );
  // /metrics is public unless the operator asks otherwise; it then needs an admin.
  const requiresAuth = endpoint.auth || (name === "metrics" && options.metricsRequireAuth);
  const roles = endpoint.auth ? endpoint.roles : (["admin"] as const);

  app.on(endpoint.method.toUpperCase(), honoPath(endpoint.path), async (c) => {
    c.set("route", name);
    const request = c.req.raw;
    if (endpoint.body) assertDeclaredLength(request, options.bodyLimitBytes);
    let claims: AuthClaims | undefined;
    if (requiresAuth) {
      claims = await authenticate(c.req.header("authorization"), roles, {
        tokens,
        now: options.clock(),
        operation: name,
      });
    }
    const params: Record<string, string> = {};
    for (const param of paramNames) {
      params[param] = parseInput(PATH_PARAMS[param], c.req.param(param), `path.${param}`);
    }
    const query = endpoint.query ? parseInput(endpoint.query, c.req.query(), "query") : undefined;
    const body = endpoint.body
      ? parseInput(endpoint.body, await readJsonBody(request, options.bodyLimitBytes), "body")
      : undefined;
    // Built on first use: only long-polls need it, and each AbortSignal costs.
    let signal: AbortSignal | undefined;
    const input = {
      c: new ReplyContext(c.req),
      claims,
      params,
      query,
      body,
      get signal() {
        signal ??= AbortSignal.any([request.signal, options.signal]);
        return signal;
      },
    };
    // The table and the handler map are keyed by the same name, so the shapes agree;
    // the compiler cannot follow that through the loop over names, hence the cast.
    return sendReply(c, await handler(input as EndpointInput<K>));
  });
}
