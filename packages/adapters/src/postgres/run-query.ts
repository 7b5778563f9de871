import type { PgliteLike, PostgresConnection } from "./postgres-connection.js";

/** Runs one parameterised statement and returns its rows as plain objects. */
export type RunQuery = <Row = Record<string, unknown>>(
  text: string,
  params?: readonly unknown[],
) => Promise<Row[]>;

/**
 * Adapts either driver to one query function. postgres.js is recognised by `unsafe`
 * (PGlite has none), so a client is never probed with a query.
 *
 * @example
 * ```ts
 * const run = runQueryOn(await PGlite.create());
 * const rows = await run<{ one: number }>("select 1 as one");
 * ```
 */
export function runQueryOn(connection: PostgresConnection): RunQuery {
  if ("unsafe" in connection && typeof connection.unsafe === "function") {
    const client = connection;
    return async <Row>(text: string, params: readonly unknown[] = []) =>
      // postgres.js returns an array subclass of row objects.
      [...((await client.unsafe(text, [...params])) as Row[])];
  }
  const client = connection as PgliteLike;
  return async <Row>(text: string, params: readonly unknown[] = []) =>
    (await client.query(text, [...params])).rows as Row[];
}
