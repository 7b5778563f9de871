import type { Role } from "@controlroom/contract";
import { SignJWT } from "jose";

/** What {@link signToken} puts in a token. */
export interface SignTokenOptions {
  /** The HS256 secret the server checks tokens with (`CONTROLROOM_JWT_SECRET`). */
  secret: string;
  /** The tenant every row the caller touches belongs to. */
  tenant_id: string;
  /** What the caller may do: `viewer`, `executor`, `operator` or `admin`. */
  role: Role;
  /**
   * Who the caller is, for the audit trail.
   * @default `${role}@${tenant_id}`
   */
  sub?: string | undefined;
  /**
   * How long the token is valid: seconds, or a span such as `"15m"`, `"12h"`, `"30d"`.
   * @default "24h"
   */
  expiresIn?: string | number | undefined;
  /** Milliseconds since the epoch, for `iat` and a relative `exp`. @default Date.now */
  now?: number | undefined;
}

/** The spans {@link signToken} accepts as `expiresIn`: a positive count and a unit. */
export const EXPIRES_IN_PATTERN = /^[1-9][0-9]{0,8}(s|m|h|d|w|y)$/;

const UNIT_SECONDS = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800, y: 31_557_600 } as const;

/**
 * Turns an `expiresIn` value into seconds, or throws a `RangeError` that says what is
 * accepted. Parsed here rather than by jose so that a typo fails with our message.
 *
 * @example
 * ```ts
 * expiresInSeconds("30d"); // 2_592_000
 * ```
 */
export function expiresInSeconds(expiresIn: string | number): number {
  if (typeof expiresIn === "number") {
    if (!Number.isInteger(expiresIn) || expiresIn <= 0) {
      throw new RangeError(`expiresIn must be a positive whole number of seconds`);
    }
    return expiresIn;
  }
  const match = EXPIRES_IN_PATTERN.exec(expiresIn);
  if (!match) {
    throw new RangeError(
      `expiresIn "${expiresIn}" is not a span like 90s, 15m, 12h, 30d, 2w or 1y`,
    );
  }
  const unit = match[1] as keyof typeof UNIT_SECONDS;
  return Number.parseInt(expiresIn, 10) * UNIT_SECONDS[unit];
}

/**
 * Signs a bearer token (JWT, HS256) with the claims the control plane checks:
 * `sub`, `tenant_id` and `role`, plus `iat` and `exp`.
 *
 * @example
 * ```ts
 * const token = await signToken({ secret, tenant_id: "acme", role: "executor" });
 * await fetch(`${url}/ops/claims`, { headers: { authorization: `Bearer ${token}` } });
 * ```
 */
export async function signToken(options: SignTokenOptions): Promise<string> {
  if (options.secret.length === 0) throw new TypeError("the JWT secret is empty");
  if (options.tenant_id.length === 0) throw new TypeError("tenant_id is empty");
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1_000);
  const lifetime = expiresInSeconds(options.expiresIn ?? "24h");
  return new SignJWT({ tenant_id: options.tenant_id, role: options.role })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(options.sub ?? `${options.role}@${options.tenant_id}`)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + lifetime)
    .sign(new TextEncoder().encode(options.secret));
}
