import type { AuthClaims } from "../ops-store.js";

/** One SQL statement and its `$1…` parameters. */
export interface SqlStatement {
  text: string;
  params: unknown[];
}

/**
 * Builds `select <call> as result` as one statement that runs `call` as the caller:
 * the claims and `role authenticated` are set (transaction-local, like Supabase does)
 * in a sub-select that is evaluated before the call, so the `ops` function and every
 * query in it see the caller's claims and role and RLS applies. Being one statement it
 * is one implicit transaction: the settings end with it, the call commits or rolls back
 * as a whole, and a request costs one round trip instead of BEGIN, SET, call, COMMIT.
 * Without claims (the reaper, metrics) the call runs as the connecting owner.
 *
 * The claims go last (`$n+1`), so `call` keeps numbering its own parameters from `$1`.
 *
 * @example
 * ```ts
 * const { text, params } = callerStatement("ops.get_run($1::uuid)", [runId], claims);
 * ```
 */
export function callerStatement(
  call: string,
  params: readonly unknown[],
  claims: AuthClaims | null,
): SqlStatement {
  if (claims === null) return { text: `select ${call} as result`, params: [...params] };
  const claimsParam = `$${params.length + 1}`;
  // The planner never flattens a sub-select with volatile functions in its output (it
  // could evaluate them in another place or not at all), nor drops those outputs; OFFSET
  // 0 fences it all the same. The call is evaluated per row of the sub-select: after.
  return {
    text:
      `select ${call} as result from (select set_config('request.jwt.claims', ${claimsParam}, true), ` +
      "set_config('role', 'authenticated', true) offset 0) as caller",
    params: [
      ...params,
      JSON.stringify({ sub: claims.sub, tenant_id: claims.tenant_id, role: claims.role }),
    ],
  };
}
