import { ROLES, type Role } from "@controlroom/contract";

/** What the UI reads from a token to decide what to show (the server decides what is allowed). */
export interface TokenClaims {
  sub: string;
  tenant_id: string;
  role: Role;
  /** Expiry, in seconds since the epoch, when the token has one. */
  exp: number | undefined;
}

/**
 * The claims of a JWT, read without verifying it: the browser has no secret, and needs
 * none, because every call is checked by the server. Returns `undefined` for anything
 * that is not a token with `sub`, `tenant_id` and a known `role`.
 *
 * @example
 * ```ts
 * decodeTokenClaims(token)?.role; // "viewer"
 * ```
 */
export function decodeTokenClaims(token: string): TokenClaims | undefined {
  const payload = token.split(".")[1];
  if (payload === undefined) return undefined;
  let claims: Record<string, unknown>;
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    claims = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { sub, tenant_id, role, exp } = claims;
  if (typeof sub !== "string" || typeof tenant_id !== "string") return undefined;
  if (typeof role !== "string" || !(ROLES as readonly string[]).includes(role)) return undefined;
  return { sub, tenant_id, role: role as Role, exp: typeof exp === "number" ? exp : undefined };
}

/**
 * True for roles the contract lets cancel (and create) runs: operator and admin. The
 * UI hides what a role cannot do; the server refuses it anyway.
 *
 * @example
 * ```ts
 * canOperate("viewer"); // false
 * ```
 */
export function canOperate(role: Role): boolean {
  return role === "operator" || role === "admin";
}
