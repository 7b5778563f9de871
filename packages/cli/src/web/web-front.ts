import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { isControlPlanePath } from "./control-plane-paths.js";
import { serveStaticAsset } from "./static-assets.js";
import { UI_API_PREFIX } from "./ui-api.js";

/** Options of {@link startWebFront}. */
export interface WebFrontOptions {
  /** The control plane's app (`RunningControlPlane.app.fetch`): every API path goes here. */
  controlPlane: (request: Request) => Response | Promise<Response>;
  /** The web UI's read endpoints (`createUiApi(…).fetch`), for paths under `/ui/api`. */
  uiApi: (request: Request) => Response | Promise<Response>;
  /** The built web app; without it, pages answer with a note on how to build it. */
  assetsDirectory?: string | undefined;
  port: number;
  host: string;
  /** How long `close()` lets requests in progress finish, in milliseconds. @default 5000 */
  closeTimeoutMs?: number | undefined;
}

/** The listening front, as returned by {@link startWebFront}. */
export interface RunningWebFront {
  url: string;
  port: number;
  /** Answers waiting long-polls, lets requests finish (up to the timeout), stops listening. */
  close(): Promise<void>;
}

/**
 * The HTTP server `controlroom serve` listens with: one origin for the API and the web
 * app, so the browser needs no CORS and the token never leaves the page's origin.
 * Contract paths (`/ops/*`, `/healthz`, `/metrics`, `/openapi.json`) are handed to the
 * control plane's app in process, untouched; `/ui/api/*` to the UI's read endpoints;
 * every other GET to the built app, with the SPA fallback.
 *
 * The control plane is a finished Hono app with its own 404 handling, so it is wrapped
 * rather than extended. Its long-polls stop when the request's signal aborts; the front
 * adds its own shutdown to that signal, so `close()` answers them at once.
 *
 * @example
 * ```ts
 * const front = await startWebFront({ controlPlane: cp.app.fetch, uiApi: ui.fetch,
 *   assetsDirectory: webAssetsDirectory(), port: 7400, host: "127.0.0.1" });
 * ```
 */
export async function startWebFront(options: WebFrontOptions): Promise<RunningWebFront> {
  const shutdown = new AbortController();
  const fetch = async (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url);
    if (isControlPlanePath(pathname)) {
      return options.controlPlane(withSignal(request, shutdown.signal));
    }
    if (pathname === UI_API_PREFIX || pathname.startsWith(`${UI_API_PREFIX}/`)) {
      return options.uiApi(request);
    }
    if (options.assetsDirectory === undefined) return notBuilt();
    return serveStaticAsset(options.assetsDirectory, request);
  };
  const server = createAdaptorServer({ fetch, overrideGlobalObjects: false }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () => {
      closing ??= (async () => {
        shutdown.abort();
        await closeServer(server, options.closeTimeoutMs ?? 5_000);
      })();
      return closing;
    },
  };
}

// The same request, also aborted by `signal`. Built from its parts: the request the
// Node adapter hands over is its own lightweight object, not a global `Request` that
// `new Request(request, init)` could copy.
function withSignal(request: Request, signal: AbortSignal): Request {
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: hasBody ? request.body : null,
    signal: AbortSignal.any([request.signal, signal]),
    ...(hasBody ? { duplex: "half" } : {}),
  } as RequestInit);
}

async function closeServer(server: Server, timeoutMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // A connection idle now is dropped by close(); one whose request ends later (an
  // answered long-poll) turns idle afterwards, so keep sweeping until the deadline.
  const sweep = setInterval(() => server.closeIdleConnections(), 25);
  const deadline = setTimeout(() => server.closeAllConnections(), timeoutMs);
  try {
    await closed;
  } finally {
    clearInterval(sweep);
    clearTimeout(deadline);
  }
}

function notBuilt(): Response {
  return new Response(
    "The Control Room web UI is not built. Build it with `pnpm --filter @controlroom/web build` (or `pnpm build`), then restart `controlroom serve`.\n",
    { status: 503, headers: { "content-type": "text/plain; charset=utf-8", "retry-after": "60" } },
  );
}
