import { ROLES, type Role } from "@controlroom/contract";
import { jwtVerify } from "jose";
import { ControlPlaneError } from "../control-plane-error.js";
import type { AuthClaims } from "../ops-store.js";

/** Options of {@link verifyToken}. */
export interface VerifyTokenOptions {
  /** Milliseconds since the epoch to check `exp` and `nbf` against. @default Date.now() */
  now?: number | undefined;
  /** Seconds of clock skew tolerated on `exp` and `nbf`. @default 5 */
  clockToleranceSeconds?: number | undefined;
}

const MAX_CLAIM_LENGTH = 256;

/** Seconds of clock skew tolerated on `exp` and `nbf` unless told otherwise. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 5;

/**
 * Verifies a bearer token (HS256 only) and returns its claims, or throws a
 * `ControlPlaneError` with code `unauthorized`. The message says what was wrong with
 * the token but never repeats the token or the secret.
 *
 * @example
 * ```ts
 * const claims = await verifyToken(new TextEncoder().encode(secret), token);
 * claims.role; // "executor"
 * ```
 */
export async function verifyToken(
  secret: Uint8Array,
  token: string,
  options: VerifyTokenOptions = {},
): Promise<AuthClaims> {
  return (await verifyTokenClaims(secret, token, options)).claims;
}

/** What {@link verifyTokenClaims} found in a valid token. */
export interface VerifiedToken {
  claims: AuthClaims;
  /** The token's `exp` (seconds since the epoch); undefined when it has none. */
  expiresAt: number | undefined;
}

/**
 * {@link verifyToken}, also returning the token's `exp`, so a cache knows how long the
 * verdict holds.
 */
export async function verifyTokenClaims(
  secret: Uint8Array,
  token: string,
  options: VerifyTokenOptions = {},
): Promise<VerifiedToken> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, secret, {
      algorithms: ["HS256"],
      clockTolerance: options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
      ...(options.now === undefined ? {} : { currentDate: new Date(options.now) }),
    }));
  } catch (error) {
    throw new ControlPlaneError("unauthorized", describeJoseError(error), { cause: error });
  }
  const { sub, tenant_id, role, exp } = payload;
  if (!isClaimString(sub)) throw unauthorized("the token has no usable `sub` claim");
  if (!isClaimString(tenant_id)) throw unauthorized("the token has no usable `tenant_id` claim");
  if (!isRole(role)) {
    throw unauthorized(`the token's \`role\` claim must be one of ${ROLES.join(", ")}`);
  }
  // jose has checked that a present `exp` is a number.
  return { claims: { sub, tenant_id, role }, expiresAt: typeof exp === "number" ? exp : undefined };
}

function isClaimString(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_CLAIM_LENGTH;
}

function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

function unauthorized(detail: string): ControlPlaneError {
  return new ControlPlaneError("unauthorized", detail);
}

// jose's codes are stable; its messages are fine too, but a fixed wording per code keeps
// anything token-derived out of the response.
function describeJoseError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case "ERR_JWT_EXPIRED":
      return "the token has expired";
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return "the token's signature does not verify";
    case "ERR_JOSE_ALG_NOT_ALLOWED":
      return "the token must be signed with HS256";
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      return "the token is not valid yet or its claims are malformed";
    default:
      return "the token is malformed";
  }
}
