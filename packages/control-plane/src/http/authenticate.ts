import type { Role } from "@controlroom/contract";
import type { VerifiedTokenCache } from "../auth/verified-token-cache.js";
import { ControlPlaneError } from "../control-plane-error.js";
import type { AuthClaims } from "../ops-store.js";

const BEARER = /^Bearer[ \t]+([A-Za-z0-9._~+/-]+=*)[ \t]*$/i;

/**
 * Verifies the `Authorization: Bearer <JWT>` header of a request and checks the role:
 * `unauthorized` (401) when the token is missing, malformed, badly signed or expired;
 * `forbidden` (403) when the role may not call the endpoint.
 *
 * @example
 * ```ts
 * const claims = await authenticate(c.req.header("authorization"), ["executor", "admin"], {
 *   tokens: new VerifiedTokenCache(secretKey), now: Date.now(), operation: "claim",
 * });
 * ```
 */
export async function authenticate(
  header: string | undefined,
  roles: readonly Role[],
  context: { tokens: VerifiedTokenCache; now: number; operation: string },
): Promise<AuthClaims> {
  if (header === undefined || header.trim() === "") {
    throw new ControlPlaneError(
      "unauthorized",
      "an Authorization: Bearer <token> header is required",
    );
  }
  const match = BEARER.exec(header);
  if (!match) {
    throw new ControlPlaneError(
      "unauthorized",
      "the Authorization header must be `Bearer <token>`",
    );
  }
  const claims = await context.tokens.verify(match[1]!, context.now);
  if (!roles.includes(claims.role)) {
    throw new ControlPlaneError(
      "forbidden",
      `role ${claims.role} may not call ${context.operation}; allowed: ${roles.join(", ")}`,
    );
  }
  return claims;
}
