import { resolve } from "node:path";
import { ControlRoomClient } from "@controlroom/sdk";
import { signLocalToken } from "../auth/sign-local-token.js";
import type { CliIo } from "../cli-io.js";
import { DEFAULT_TENANT, DEFAULT_URL } from "../defaults.js";
import { UsageError } from "../usage-error.js";

/** The flags every command that talks to a control plane takes, for `parseFlags`. */
export const CONNECTION_FLAGS = {
  url: { type: "string" },
  token: { type: "string" },
  "data-dir": { type: "string" },
} as const;

/** The lines of a command's usage that describe {@link CONNECTION_FLAGS}. */
export const CONNECTION_USAGE = `Connection:
  --url       the control plane       default CONTROLROOM_URL, else ${DEFAULT_URL}
  --token     a bearer token          default CONTROLROOM_TOKEN
  --data-dir  instead of a token: sign a short-lived admin token of tenant "${DEFAULT_TENANT}"
              with the secret of the embedded server keeping its data here (as
              \`controlroom token --data-dir\` does; CONTROLROOM_JWT_SECRET wins when set)`;

/** A client and the URL it talks to (for messages). */
export interface CliConnection {
  client: ControlRoomClient;
  url: string;
}

/** Where a command's control plane is and the token to use, from its connection flags. */
export interface ConnectionSettings {
  /** The control plane's base URL. */
  url: string;
  /** The bearer token, when one was given or could be signed. */
  token: string | undefined;
}

/**
 * Reads the connection flags without requiring a token: the URL from `--url`,
 * CONTROLROOM_URL or the default; the token from `--token`, a token signed with the
 * secret in `--data-dir`, or CONTROLROOM_TOKEN. For commands whose callers may bring
 * their own token (the MCP server over HTTP); the others use {@link connectClient}.
 *
 * @example
 * ```ts
 * const { url, token } = await connectionSettings(values, io);
 * ```
 */
export async function connectionSettings(
  values: ConnectionValues,
  io: CliIo,
  options: {
    /**
     * How long a token signed from `--data-dir` lives: long enough for one command.
     * @default "15m"
     */
    signedTokenExpiresIn?: string | undefined;
  } = {},
): Promise<ConnectionSettings> {
  const url = values.url ?? nonEmpty(io.env.CONTROLROOM_URL) ?? DEFAULT_URL;
  checkUrl(url, values.url !== undefined ? "--url" : "CONTROLROOM_URL");
  if (values.token !== undefined && values["data-dir"] !== undefined) {
    throw new UsageError("give --token or --data-dir, not both");
  }
  if (values.token !== undefined && values.token.trim() === "") {
    throw new UsageError("--token must not be empty");
  }
  const token =
    values.token ??
    (values["data-dir"] === undefined
      ? nonEmpty(io.env.CONTROLROOM_TOKEN)
      : await signLocalToken({
          env: io.env,
          dataDir: resolve(io.cwd, values["data-dir"]),
          tenant: DEFAULT_TENANT,
          role: "admin",
          sub: "controlroom-cli",
          expiresIn: options.signedTokenExpiresIn ?? "15m",
        }));
  return { url, token };
}

/**
 * The SDK client the CLI's commands use: few retries, since someone (a person, an
 * agent) is waiting for the answer.
 *
 * @example
 * ```ts
 * const client = cliClient(url, token, "controlroom-mcp");
 * ```
 */
export function cliClient(url: string, token: string, userAgent = "controlroom-cli") {
  return new ControlRoomClient({
    baseUrl: url,
    token,
    // Fail within seconds when the server is not there.
    retry: { maxAttempts: 3, maxElapsedMs: 10_000 },
    userAgent,
  });
}

/**
 * Makes the SDK client of a command from its connection flags (see
 * {@link connectionSettings}). No token at all is a usage error.
 *
 * @example
 * ```ts
 * const { values } = parseFlags(argv, { ...CONNECTION_FLAGS });
 * const { client } = await connectClient(values, io);
 * ```
 */
export async function connectClient(values: ConnectionValues, io: CliIo): Promise<CliConnection> {
  const { url, token } = await connectionSettings(values, io);
  if (token === undefined) throw new UsageError(NO_TOKEN);
  const client = cliClient(url, token);
  return { client, url: client.baseUrl };
}

/** The message of a missing token. */
export const NO_TOKEN =
  "no token: pass --token, set CONTROLROOM_TOKEN, or pass --data-dir DIR of an embedded server (`controlroom serve --data-dir DIR`)";

/** The values of {@link CONNECTION_FLAGS} as `parseFlags` returns them. */
export interface ConnectionValues {
  url?: string | undefined;
  token?: string | undefined;
  "data-dir"?: string | undefined;
}

function checkUrl(url: string, source: string): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new UsageError(`${source} is not a URL: "${url}"`);
  }
  if (protocol !== "http:" && protocol !== "https:") {
    throw new UsageError(`${source} must be an http:// or https:// URL`);
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
