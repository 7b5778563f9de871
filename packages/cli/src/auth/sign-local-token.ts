import type { Role } from "@controlroom/contract";
import { readJwtSecret, signToken } from "@controlroom/control-plane";

/** Options of {@link signLocalToken}. */
export interface SignLocalTokenOptions {
  /** Read for CONTROLROOM_JWT_SECRET, which wins over the data directory's secret. */
  env: Readonly<Record<string, string | undefined>>;
  /** An embedded server's data directory (absolute), holding `jwt-secret`. */
  dataDir: string;
  tenant: string;
  role: Role;
  /** @default `${role}@${tenant}` */
  sub?: string | undefined;
  /** A span like `"30d"`. @default "30d" */
  expiresIn?: string | undefined;
}

/**
 * Signs a token the way `controlroom token` does: with CONTROLROOM_JWT_SECRET when it is
 * set, else with the secret an embedded server keeps in `<dataDir>/jwt-secret`. Throws
 * (a failure, exit 1) when there is neither, saying how to get one.
 *
 * @example
 * ```ts
 * const token = await signLocalToken({ env: process.env, dataDir: "/abs/.controlroom",
 *   tenant: "default", role: "admin", expiresIn: "15m" });
 * ```
 */
export async function signLocalToken(options: SignLocalTokenOptions): Promise<string> {
  const envSecret = options.env.CONTROLROOM_JWT_SECRET;
  const secret =
    envSecret !== undefined && envSecret.trim() !== ""
      ? envSecret
      : await readJwtSecret(options.dataDir);
  if (!secret) {
    throw new Error(
      `no JWT secret: set CONTROLROOM_JWT_SECRET, or run \`controlroom serve\` once to create ${options.dataDir}/jwt-secret`,
    );
  }
  return signToken({
    secret,
    tenant_id: options.tenant,
    role: options.role,
    ...(options.sub === undefined ? {} : { sub: options.sub }),
    expiresIn: options.expiresIn ?? "30d",
  });
}
