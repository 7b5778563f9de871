import {
  CONTRACT_VERSION,
  CONTRACT_VERSION_HEADER,
  ENDPOINTS,
  type EndpointName,
} from "@controlroom/contract";
import { Hono } from "hono";
import { VerifiedTokenCache } from "../auth/verified-token-cache.js";
import { LeaseReaper } from "../server/lease-reaper.js";
import { ConcurrencyGate } from "./concurrency-gate.js";
import { type ControlPlaneAppOptions, normalizeAppOptions } from "./control-plane-app-options.js";
import type { ControlPlaneEnv, EndpointHandler, EndpointHandlers } from "./endpoint-handler.js";
import { errorToResponse } from "./error-to-response.js";
import { artifactHandlers } from "./handlers/artifact-handlers.js";
import { eventHandlers } from "./handlers/event-handlers.js";
import type { HandlerDeps } from "./handlers/handler-deps.js";
import { leaseHandlers } from "./handlers/lease-handlers.js";
import { runHandlers } from "./handlers/run-handlers.js";
import { serviceHandlers } from "./handlers/service-handlers.js";
import { HttpStats } from "./http-stats.js";
import { mountEndpoint } from "./mount-endpoint.js";
import { notFoundResponse } from "./not-found-response.js";
import { problemResponse } from "./problem-response.js";
import { REQUEST_ID_HEADER, requestIdFrom } from "./request-id.js";
import { WakeRelay } from "./wake-relay.js";

/** The control plane's Hono app. */
export type ControlPlaneApp = Hono<ControlPlaneEnv>;

/**
 * Builds the HTTP API of the contract over an {@link OpsStore}: every endpoint of the
 * contract's `ENDPOINTS` table, bearer-token auth by role, validation with the
 * contract's schemas, RFC 9457 problem documents for every error, long-polling claims
 * and event reads, backpressure (503 with `Retry-After`), and `/metrics`. Every
 * response carries `controlroom-contract-version` and `x-request-id`.
 *
 * It does not listen on a port or run the lease reaper's interval: use
 * `startControlPlane()` for a server, or call `app.request()` / `app.fetch` yourself.
 *
 * @example
 * ```ts
 * const app = createControlPlaneApp({ store, jwtSecret: process.env.CONTROLROOM_JWT_SECRET! });
 * const res = await app.request("/healthz");
 * ```
 */
export function createControlPlaneApp(options: ControlPlaneAppOptions): ControlPlaneApp {
  const config = normalizeAppOptions(options);
  const deps: HandlerDeps = {
    store: config.store,
    reaper:
      options.reaper ??
      new LeaseReaper(config.store, {
        intervalMs: 0,
        clock: config.clock,
        onError: (error) => config.logger.error("lease reaper failed", { error: String(error) }),
      }),
    options: config,
    stats: new HttpStats(),
    inFlight: new ConcurrencyGate(config.maxInFlight),
    longPolls: new ConcurrencyGate(config.maxLongPolls),
    claimWakeups: new WakeRelay(config.store, (signal) => signal.kind === "runnable"),
  };
  const handlers: EndpointHandlers = {
    ...runHandlers(deps),
    ...leaseHandlers(deps),
    ...eventHandlers(deps),
    ...artifactHandlers(deps),
    ...serviceHandlers(deps),
  };

  const app = new Hono<ControlPlaneEnv>();

  // Outermost: runs for every request, matched or not, and after errors were mapped.
  app.use("*", async (c, next) => {
    const requestId = requestIdFrom(c.req.header(REQUEST_ID_HEADER));
    c.set("requestId", requestId);
    c.set("route", "unmatched");
    await next();
    // A reply written straight to the socket already carried these headers.
    const sent = c.get("sentStatus");
    if (sent === undefined) {
      c.res.headers.set(CONTRACT_VERSION_HEADER, CONTRACT_VERSION);
      c.res.headers.set(REQUEST_ID_HEADER, requestId);
    }
    deps.stats.record(c.req.method, c.get("route"), sent ?? c.res.status);
  });

  // Shed load before touching the database: a fixed cap, answered at once.
  app.use("/ops/*", async (c, next) => {
    if (config.signal.aborted) {
      c.set("route", "rejected");
      return problemResponse("unavailable", "the server is shutting down", {
        retryAfterSeconds: config.retryAfterSeconds,
      });
    }
    const release = deps.inFlight.tryAcquire();
    if (!release) {
      c.set("route", "rejected");
      return problemResponse(
        "unavailable",
        `this server already has ${config.maxInFlight} requests in progress; retry shortly`,
        { retryAfterSeconds: config.retryAfterSeconds },
      );
    }
    try {
      await next();
    } finally {
      release();
    }
  });

  const tokens = new VerifiedTokenCache(config.secretKey, { maxEntries: config.tokenCacheSize });
  for (const name of Object.keys(ENDPOINTS) as EndpointName[]) {
    mountEndpoint(app, name, handlers[name] as EndpointHandler<typeof name>, config, tokens);
  }

  app.notFound((c) => notFoundResponse(c.req.method, c.req.path));
  app.onError((error, c) =>
    errorToResponse(error, c.get("requestId"), config.logger, config.retryAfterSeconds),
  );
  return app;
}
