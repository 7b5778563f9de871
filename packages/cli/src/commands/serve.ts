import { join, resolve } from "node:path";
import { CONTRACT_VERSION } from "@controlroom/contract";
import { startControlPlane } from "@controlroom/control-plane";
import { webAssetsBuilt, webAssetsDirectory } from "@controlroom/web";
import type { CliIo } from "../cli-io.js";
import { DEFAULT_DATA_DIR, DEFAULT_PORT, DEFAULT_TENANT } from "../defaults.js";
import { parseFlags } from "../parse-flags.js";
import { UsageError } from "../usage-error.js";
import { createUiApi } from "../web/ui-api.js";
import { startWebFront } from "../web/web-front.js";

export const SERVE_USAGE = `Usage: controlroom serve [--port ${DEFAULT_PORT}] [--host 127.0.0.1]
                         [--data-dir ${DEFAULT_DATA_DIR} | --database-url postgres://…] [--lake DIR]

Runs the control plane and the web UI (at /) until SIGINT/SIGTERM.
  --port, -p      TCP port (0 picks a free one)                 default ${DEFAULT_PORT}
  --host          interface to listen on                        default 127.0.0.1
  --data-dir      embedded mode: PGlite database and JWT secret default ${DEFAULT_DATA_DIR}
  --database-url  Postgres/Supabase instead (or DATABASE_URL); needs CONTROLROOM_JWT_SECRET
  --lake          where the web UI reads tables and artifacts: a directory, file://… or
                  s3://bucket/prefix                            default <data-dir>/lake
Tokens are checked with CONTROLROOM_JWT_SECRET. In embedded mode without it, a secret is
kept in <data-dir>/jwt-secret and an admin token is printed at start, with a link that
signs the web UI in with it.`;

/**
 * `controlroom serve`: starts the control plane and the web UI on one port and keeps
 * them up until the process is asked to stop. Prints the URL, and in embedded mode
 * without `CONTROLROOM_JWT_SECRET` an admin token for tenant `default`, both as
 * `export` lines to paste into a shell, plus a link that signs the web UI in with it.
 * The UI's tables and artifact bytes are read from `--lake` (embedded: `<data-dir>/lake`).
 *
 * @example
 * ```ts
 * const status = await serveCommand(["--port", "0"], processIo());
 * ```
 */
export async function serveCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, {
    port: { type: "string", short: "p" },
    host: { type: "string" },
    "data-dir": { type: "string" },
    "database-url": { type: "string" },
    lake: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(SERVE_USAGE);
    return 0;
  }
  const port = parsePort(values.port);
  const host = values.host ?? "127.0.0.1";
  if (host.trim() === "") throw new UsageError("--host must not be empty");
  if (values["data-dir"] !== undefined && values["database-url"] !== undefined) {
    throw new UsageError("give --data-dir or --database-url, not both");
  }
  const envSecret = nonEmpty(io.env.CONTROLROOM_JWT_SECRET);
  const databaseUrl =
    values["database-url"] ??
    (values["data-dir"] === undefined ? nonEmpty(io.env.DATABASE_URL) : undefined);
  if (databaseUrl !== undefined) {
    checkDatabaseUrl(databaseUrl);
    if (!envSecret) {
      io.stderr("controlroom serve: set CONTROLROOM_JWT_SECRET to run on Postgres");
      return 1;
    }
  }
  const dataDir =
    databaseUrl === undefined ? resolve(io.cwd, values["data-dir"] ?? DEFAULT_DATA_DIR) : undefined;

  if (values.lake !== undefined && values.lake.trim() === "") {
    throw new UsageError("--lake must not be empty");
  }
  const lake = values.lake ?? (dataDir === undefined ? undefined : join(dataDir, "lake"));

  // The control plane listens on a loopback port of its own that nobody needs to know;
  // the front below is what users reach, on the port they asked for (see web-front.ts).
  const server = await startControlPlane({
    port: 0,
    host: "127.0.0.1",
    ...(dataDir === undefined ? {} : { dataDir }),
    ...(databaseUrl === undefined ? {} : { databaseUrl }),
    ...(envSecret === undefined ? {} : { jwtSecret: envSecret }),
  });
  const built = webAssetsBuilt();
  let front: Awaited<ReturnType<typeof startWebFront>>;
  try {
    const uiApi = createUiApi({ controlPlane: server.app.fetch, lake, env: io.env, cwd: io.cwd });
    front = await startWebFront({
      controlPlane: server.app.fetch,
      uiApi: uiApi.fetch,
      assetsDirectory: built ? webAssetsDirectory() : undefined,
      port,
      host,
    });
  } catch (error) {
    await server.close();
    throw error;
  }
  io.stdout(`Control Room control plane (contract ${CONTRACT_VERSION}) listening on ${front.url}`);
  io.stdout(
    dataDir === undefined
      ? `store: Postgres at ${redactUrl(databaseUrl!)}`
      : `store: embedded PGlite in ${dataDir}`,
  );
  io.stdout(`export CONTROLROOM_URL=${front.url}`);
  let webLine = `Web UI: ${front.url}/ (sign in with a token from \`controlroom token\`)`;
  if (envSecret === undefined) {
    const token = await server.issueToken({
      tenant_id: DEFAULT_TENANT,
      role: "admin",
      sub: "controlroom-serve",
      expiresIn: "30d",
    });
    io.stdout(`export CONTROLROOM_TOKEN=${token}`);
    io.stdout(`(an admin token of tenant "${DEFAULT_TENANT}", valid 30 days)`);
    // In the fragment, the token stays in the browser: it is never sent in a request
    // line, so no server or proxy log records it. The app removes it from the address.
    webLine = `Web UI, signed in as that admin: ${front.url}/#token=${token}`;
  }
  io.stdout(
    built ? webLine : "Web UI: not built; run `pnpm --filter @controlroom/web build` and restart",
  );
  io.stdout("Press Ctrl+C to stop.");

  const signal = await io.waitForStop();
  io.stdout(`${signal}: stopping…`);
  await front.close();
  await server.close();
  io.stdout("stopped");
  return 0;
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) {
    throw new UsageError(`--port must be a number from 0 to 65535, not "${value}"`);
  }
  return Number(value);
}

function checkDatabaseUrl(url: string): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new UsageError("--database-url (or DATABASE_URL) is not a URL");
  }
  if (protocol !== "postgres:" && protocol !== "postgresql:") {
    throw new UsageError("--database-url must be a postgres:// or postgresql:// URL");
  }
}

// The URL is printed at start; its password is not.
function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
