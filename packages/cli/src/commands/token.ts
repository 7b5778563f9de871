import { resolve } from "node:path";
import { ROLES, type Role } from "@controlroom/contract";
import { expiresInSeconds } from "@controlroom/control-plane";
import { signLocalToken } from "../auth/sign-local-token.js";
import type { CliIo } from "../cli-io.js";
import { DEFAULT_DATA_DIR } from "../defaults.js";
import { parseFlags } from "../parse-flags.js";
import { UsageError } from "../usage-error.js";

export const TOKEN_USAGE = `Usage: controlroom token --tenant TENANT --role ROLE [--sub SUBJECT]
                         [--expires-in 30d] [--data-dir ${DEFAULT_DATA_DIR}]

Prints a bearer token (HS256 JWT) the control plane accepts.
  --tenant      tenant id (required)
  --role        ${ROLES.join(" | ")} (required)
  --sub         who the token is for                       default ROLE@TENANT
  --expires-in  lifetime: 90s, 15m, 12h, 30d, 2w, 1y       default 30d
  --data-dir    read the secret of an embedded server here default ${DEFAULT_DATA_DIR}
The secret is CONTROLROOM_JWT_SECRET, else <data-dir>/jwt-secret.`;

/**
 * `controlroom token`: prints a JWT signed with the configured secret, and nothing
 * else on stdout, so `export CONTROLROOM_TOKEN=$(controlroom token …)` works.
 *
 * @example
 * ```ts
 * await tokenCommand(["--tenant", "acme", "--role", "executor"], processIo());
 * ```
 */
export async function tokenCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, {
    tenant: { type: "string" },
    role: { type: "string" },
    sub: { type: "string" },
    "expires-in": { type: "string" },
    "data-dir": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(TOKEN_USAGE);
    return 0;
  }
  const tenant = values.tenant?.trim();
  if (!tenant) throw new UsageError("--tenant is required");
  const role = values.role;
  if (role === undefined) throw new UsageError("--role is required");
  if (!isRole(role)) throw new UsageError(`--role must be one of ${ROLES.join(", ")}`);
  if (values.sub !== undefined && values.sub.trim() === "") {
    throw new UsageError("--sub must not be empty");
  }
  const expiresIn = values["expires-in"] ?? "30d";
  try {
    expiresInSeconds(expiresIn);
  } catch (error) {
    throw new UsageError(`--expires-in: ${(error as Error).message}`);
  }

  const token = await signLocalToken({
    env: io.env,
    dataDir: resolve(io.cwd, values["data-dir"] ?? DEFAULT_DATA_DIR),
    tenant,
    role,
    sub: values.sub,
    expiresIn,
  });
  io.stdout(token);
  return 0;
}

function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
