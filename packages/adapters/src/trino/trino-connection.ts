import type { ConnectionOptions } from "trino-client";
import type { TrinoEngineOptions } from "./trino-engine-options.js";
import { TrinoError } from "./trino-error.js";

const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;
// System properties are `name`, catalog ones `catalog.name`; anything else would break
// the header's `name=value,…` syntax.
const SESSION_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/** The engine's options, checked once and turned into what trino-client takes. */
export interface TrinoConnection {
  /** For {@link createTrinoHttpClient}. */
  client: ConnectionOptions & { basic?: { user: string; password: string } | undefined };
  requestTimeoutMs: number;
}

/**
 * Checks {@link TrinoEngineOptions} and builds the connection every statement uses.
 * Throws `TRINO_INVALID_ARGUMENT` for a bad URL, credentials or session property.
 *
 * @example
 * ```ts
 * const connection = normalizeTrinoOptions({ server: "http://127.0.0.1:8080", catalog: "delta" });
 * ```
 */
export function normalizeTrinoOptions(options: TrinoEngineOptions): TrinoConnection {
  const server = parseServer(options.server);
  const auth = options.auth;
  const headers: Record<string, string> = {};
  let basic: { user: string; password: string } | undefined;
  if (auth?.type === "basic") {
    if (!auth.user) invalid("auth.user must not be empty");
    basic = { user: auth.user, password: auth.password };
  } else if (auth?.type === "bearer") {
    if (!auth.token || /[\r\n]/.test(auth.token)) invalid("auth.token must be one non-empty line");
    headers.Authorization = `Bearer ${auth.token}`;
  } else if (auth !== undefined) {
    invalid(`unknown auth type ${JSON.stringify((auth as { type?: unknown }).type)}`);
  }
  // With a bearer token the user comes from the token: send none unless asked to
  // (trino-client would send $USER, and an empty header is left out).
  headers["X-Trino-User"] =
    options.user ?? basic?.user ?? (auth?.type === "bearer" ? "" : "controlroom");
  headers["X-Trino-Source"] = options.source ?? "controlroom";
  headers["X-Trino-Time-Zone"] = options.timeZone ?? "UTC";
  if (options.schema !== undefined && options.catalog === undefined) {
    invalid("schema needs a catalog");
  }
  const session = Object.entries(options.session ?? {});
  for (const [name] of session) {
    if (!SESSION_NAME.test(name)) invalid(`invalid session property name ${JSON.stringify(name)}`);
  }
  if (session.length > 0) {
    headers["X-Trino-Session"] = session
      .map(([name, value]) => `${name}=${encodeURIComponent(String(value))}`)
      .join(",");
  }
  if (options.clientTags !== undefined && options.clientTags.length > 0) {
    if (options.clientTags.some((tag) => tag.includes(","))) invalid("client tags cannot hold ','");
    headers["X-Trino-Client-Tags"] = options.clientTags.join(",");
  }
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (!(Number.isFinite(requestTimeoutMs) && requestTimeoutMs > 0)) {
    invalid("requestTimeoutMs must be a positive number");
  }
  const tls = options.tls;
  return {
    client: {
      server,
      ...(options.catalog === undefined ? {} : { catalog: options.catalog }),
      ...(options.schema === undefined ? {} : { schema: options.schema }),
      ...(tls === undefined ? {} : { ssl: { ...tls } as NonNullable<ConnectionOptions["ssl"]> }),
      extraHeaders: { ...headers, ...options.headers },
      basic,
    },
    requestTimeoutMs,
  };
}

function parseServer(server: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    invalid(`server must be an http:// or https:// URL, got ${JSON.stringify(server)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    invalid(`server must be an http:// or https:// URL, got ${JSON.stringify(server)}`);
  }
  if (url.username || url.password) invalid("put credentials in auth, not in the server URL");
  return url.href.replace(/\/+$/, "");
}

function invalid(message: string): never {
  throw new TrinoError("TRINO_INVALID_ARGUMENT", message);
}
