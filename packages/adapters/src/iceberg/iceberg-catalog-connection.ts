/**
 * The part of a postgres.js client (`postgres(url)`) the catalog uses: `unsafe(text,
 * params)` with `$1…` placeholders, resolving to the rows with `count` (rows affected).
 */
export interface CatalogPostgresJsLike {
  unsafe(query: string, parameters?: unknown[]): PromiseLike<unknown>;
}

/** The part of a PGlite instance (or a `pg` client) the catalog uses. */
export interface CatalogPgliteLike {
  query(
    query: string,
    parameters?: unknown[],
  ): Promise<{ rows: unknown[]; affectedRows?: number | undefined }>;
}

/**
 * The database the SQL catalog lives in: a postgres.js client or a PGlite instance,
 * typed structurally so neither driver is a dependency.
 *
 * @example
 * ```ts
 * const connection: CatalogConnection = postgres(process.env.CATALOG_DATABASE_URL!, { max: 4 });
 * ```
 */
export type CatalogConnection = CatalogPostgresJsLike | CatalogPgliteLike;

/** Rows and the affected-row count of one statement. */
export interface CatalogResult {
  rows: Record<string, unknown>[];
  rowCount: number;
}

/** Runs one statement on either driver. */
export async function runCatalogStatement(
  connection: CatalogConnection,
  sql: string,
  parameters: unknown[] = [],
): Promise<CatalogResult> {
  if ("unsafe" in connection) {
    const result = (await connection.unsafe(sql, parameters)) as Record<string, unknown>[] & {
      count?: number;
    };
    return { rows: [...result], rowCount: result.count ?? result.length };
  }
  const result = await connection.query(sql, parameters);
  return {
    rows: result.rows as Record<string, unknown>[],
    rowCount: result.affectedRows ?? result.rows.length,
  };
}

/**
 * True when `error` is the database's answer to the statement (an ErrorResponse with a
 * SQLSTATE, from postgres.js or PGlite): the statement failed and changed nothing.
 * Anything else (a dropped socket, a timeout) leaves its outcome unknown.
 */
export function isDatabaseAnswer(error: unknown): error is { code: string; message: string } {
  if (typeof error !== "object" || error === null) return false;
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return typeof severity === "string" && typeof code === "string" && /^[0-9A-Z]{5}$/.test(code);
}

/**
 * True when the error happened before anything was sent (the connection could not be
 * opened): the statement certainly did not run.
 */
export function isNotConnected(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === "string" &&
    ["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "EAI_AGAIN", "CONNECT_TIMEOUT"].includes(code)
  );
}
