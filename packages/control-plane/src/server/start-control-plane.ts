import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Role } from "@controlroom/contract";
import { createAdaptorServer } from "@hono/node-server";
import { loadOrCreateJwtSecret } from "../auth/jwt-secret.js";
import { signToken } from "../auth/sign-token.js";
import type { ControlPlaneAppOptions } from "../http/control-plane-app-options.js";
import { type ControlPlaneApp, createControlPlaneApp } from "../http/create-control-plane-app.js";
import type { OpsStore } from "../ops-store.js";
import { LeaseReaper } from "./lease-reaper.js";
import { openStore } from "./open-store.js";

/** Options of {@link startControlPlane}. */
export interface StartControlPlaneOptions
  extends Pick<
    ControlPlaneAppOptions,
    | "bodyLimitBytes"
    | "maxInFlight"
    | "maxLongPolls"
    | "longPollIntervalMs"
    | "retryAfterSeconds"
    | "tokenCacheSize"
    | "metricsRequireAuth"
    | "logger"
  > {
  /** TCP port; 0 picks a free one (read it back from `port` / `url`). @default 0 */
  port?: number | undefined;
  /** Interface to listen on. @default "127.0.0.1" */
  host?: string | undefined;
  /**
   * Embedded mode: PGlite keeps its database in this directory, and the JWT secret is
   * kept in `<dataDir>/jwt-secret` when `jwtSecret` is not given. Without `dataDir` and
   * `databaseUrl` the database lives in memory and is gone on `close()`.
   */
  dataDir?: string | undefined;
  /** Production mode: a Postgres (or Supabase) connection URL. Needs `jwtSecret`. */
  databaseUrl?: string | undefined;
  /**
   * The HS256 secret tokens are signed and checked with. @default the data directory's
   * secret (created on first start), or a random one for an in-memory server
   */
  jwtSecret?: string | undefined;
  /** Use this store instead of opening one; it is not closed by `close()`. */
  store?: OpsStore | undefined;
  /** How often the lease reaper expires overdue leases, in milliseconds. @default 1000 */
  reaperIntervalMs?: number | undefined;
  /**
   * How long `close()` lets requests in progress finish before it cuts their
   * connections, in milliseconds (waiting long-polls are answered at once).
   * @default 5000
   */
  closeTimeoutMs?: number | undefined;
}

/** What {@link RunningControlPlane.issueToken} signs. */
export interface IssueTokenOptions {
  tenant_id: string;
  role: Role;
  /** @default `${role}@${tenant_id}` */
  sub?: string | undefined;
  /** Seconds, or a span like `"30d"`. @default "24h" */
  expiresIn?: string | number | undefined;
}

/** A control plane listening on a port, as returned by {@link startControlPlane}. */
export interface RunningControlPlane {
  /** The base URL, e.g. `http://127.0.0.1:7400`. */
  url: string;
  port: number;
  host: string;
  store: OpsStore;
  app: ControlPlaneApp;
  /** Signs a bearer token this server accepts. */
  issueToken(options: IssueTokenOptions): Promise<string>;
  /**
   * Stops the reaper, answers waiting long-polls, lets requests in progress finish (up
   * to `closeTimeoutMs`), stops listening and closes the store it opened. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Starts the reference control plane: opens the store (PGlite in `dataDir` or in
 * memory, or Postgres at `databaseUrl`), runs the lease reaper and serves the contract
 * over HTTP. This is what `controlroom serve` runs, and what tests and the demo start
 * in process.
 *
 * @example
 * ```ts
 * const cp = await startControlPlane({ port: 0 });
 * const token = await cp.issueToken({ tenant_id: "acme", role: "admin" });
 * const res = await fetch(`${cp.url}/ops/runs`, { headers: { authorization: `Bearer ${token}` } });
 * await cp.close();
 * ```
 */
export async function startControlPlane(
  options: StartControlPlaneOptions = {},
): Promise<RunningControlPlane> {
  if (options.dataDir !== undefined && options.databaseUrl !== undefined) {
    throw new TypeError("startControlPlane: give dataDir or databaseUrl, not both");
  }
  if (options.databaseUrl !== undefined && !options.jwtSecret && !options.store) {
    // Servers sharing a database must share the secret, so none can be invented here.
    throw new TypeError("startControlPlane: a jwtSecret is required with databaseUrl");
  }
  const host = options.host ?? "127.0.0.1";
  const ownsStore = options.store === undefined;
  const store =
    options.store ??
    (await openStore(
      options.databaseUrl !== undefined
        ? { databaseUrl: options.databaseUrl }
        : { dataDir: options.dataDir },
    ));
  const shutdown = new AbortController();
  const logger = options.logger;
  const reaper = new LeaseReaper(store, {
    intervalMs: options.reaperIntervalMs ?? 1_000,
    onError: (error) =>
      logger
        ? logger.error("lease reaper failed", { error: String(error) })
        : console.error("[controlroom] lease reaper failed", error),
  });
  let server: ReturnType<typeof createAdaptorServer> | undefined;
  try {
    const jwtSecret =
      options.jwtSecret ||
      (options.dataDir !== undefined
        ? await loadOrCreateJwtSecret(options.dataDir)
        : randomBytes(32).toString("base64url"));
    const app = createControlPlaneApp({
      store,
      jwtSecret,
      reaper,
      signal: shutdown.signal,
      bodyLimitBytes: options.bodyLimitBytes,
      maxInFlight: options.maxInFlight,
      maxLongPolls: options.maxLongPolls,
      longPollIntervalMs: options.longPollIntervalMs,
      retryAfterSeconds: options.retryAfterSeconds,
      tokenCacheSize: options.tokenCacheSize,
      metricsRequireAuth: options.metricsRequireAuth,
      logger,
    });
    // Leave the process's global Request/Response alone: SDK tests run in this process.
    server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false });
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once("error", reject);
      listening.listen(options.port ?? 0, host, () => {
        listening.off("error", reject);
        resolve();
      });
    });
    reaper.start();
    const port = (listening.address() as AddressInfo).port;
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        shutdown.abort();
        await reaper.stop();
        await closeServer(listening, options.closeTimeoutMs ?? 5_000);
        if (ownsStore) await store.close();
      })();
      return closing;
    };
    return {
      url,
      port,
      host,
      store,
      app,
      issueToken: (token) => signToken({ secret: jwtSecret, ...token }),
      close,
    };
  } catch (error) {
    shutdown.abort();
    await reaper.stop();
    if (server?.listening) await closeServer(server, 0);
    if (ownsStore) await store.close().catch(() => undefined);
    throw error;
  }
}

async function closeServer(
  server: ReturnType<typeof createAdaptorServer>,
  timeoutMs: number,
): Promise<void> {
  const httpServer = server as import("node:http").Server;
  const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
  // close() drops the keep-alive connections idle at that moment; a connection whose
  // request finishes later (an answered long-poll) turns idle afterwards, so keep
  // sweeping. Busy connections get until the timeout.
  const sweep = setInterval(() => httpServer.closeIdleConnections(), 25);
  const timer = setTimeout(() => httpServer.closeAllConnections(), timeoutMs);
  try {
    await closed;
  } finally {
    clearInterval(sweep);
    clearTimeout(timer);
  }
}
