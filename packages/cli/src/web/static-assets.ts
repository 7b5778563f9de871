import { readFile, stat } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

// Everything the app loads comes from this origin: the policy makes that a property
// of the page, not just of the code, and refuses framing (the page holds a token).
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/**
 * Serves the built web app from `root`: files by path with their content type, and
 * `index.html` for any other page path so the app's own router can show it (the SPA
 * fallback). Vite names assets by content hash, so they are cached for a year; the
 * HTML is revalidated so a new build shows up at once. Paths that would leave `root`
 * and missing files under `/assets/` are 404s, never the HTML.
 *
 * @example
 * ```ts
 * const response = await serveStaticAsset("/…/dist/app", new Request("http://x/runs/0190…"));
 * ```
 */
export async function serveStaticAsset(root: string, request: Request): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return new Response("method not allowed\n", {
      status: 405,
      headers: { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" },
    });
  }
  const base = resolve(root);
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(request.url).pathname);
  } catch {
    return notFound();
  }
  const path = resolve(base, `.${pathname}`);
  if (path !== base && !path.startsWith(base + sep)) return notFound();
  const file = (await isFile(path)) ? path : undefined;
  if (file === undefined && (pathname.startsWith("/assets/") || extname(pathname) !== "")) {
    return notFound();
  }
  const served = file ?? resolve(base, "index.html");
  const body = await readFile(served).catch(() => undefined);
  if (body === undefined) return notFound();
  const immutable = served.startsWith(resolve(base, "assets") + sep);
  return new Response(request.method === "HEAD" ? null : new Uint8Array(body), {
    status: 200,
    headers: {
      ...SECURITY_HEADERS,
      "content-type": CONTENT_TYPES[extname(served)] ?? "application/octet-stream",
      "content-length": String(body.byteLength),
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    },
  });
}

async function isFile(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() === true;
}

function notFound(): Response {
  return new Response("not found\n", {
    status: 404,
    headers: { ...SECURITY_HEADERS, "content-type": "text/plain; charset=utf-8" },
  });
}
