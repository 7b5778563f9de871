/**
 * The subset of a postgres.js client (`postgres(url)`, or a reserved connection) that the
 * source uses: `unsafe(text, params)` with `$1…` placeholders.
 */
export interface PostgresJsLike {
  unsafe(query: string, parameters?: unknown[]): PromiseLike<unknown>;
}

/** The subset of a PGlite instance (or a `pg` client) that the source uses. */
export interface PgliteLike {
  query(query: string, parameters?: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * A database connection the source can read through: a postgres.js client or a PGlite
 * instance. Typed structurally, so neither driver is a dependency of this package.
 *
 * @example
 * ```ts
 * const connection: PostgresConnection = postgres(url, { max: 2 });
 * const embedded: PostgresConnection = await PGlite.create();
 * ```
 */
export type PostgresConnection = PostgresJsLike | PgliteLike;
