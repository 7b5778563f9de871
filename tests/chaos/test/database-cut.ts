import type postgres from "postgres";

/**
 * Cuts the control plane's database connections, as a failover or a network blip
 * would: `pg_terminate_backend` on every backend of `database` whose
 * `application_name` is the server's, from a superuser connection. Returns how many
 * were terminated.
 */
export async function cutConnections(
  admin: postgres.Sql,
  database: string,
  applicationName: string,
): Promise<number> {
  const rows = await admin<{ terminated: boolean }[]>`
    select pg_terminate_backend(pid) as terminated
      from pg_stat_activity
     where datname = ${database} and application_name = ${applicationName}
       and pid <> pg_backend_pid()`;
  return rows.filter((row) => row.terminated).length;
}

/** Backends of the server that are listening for wake-ups (its LISTEN connection). */
export async function listeningBackends(
  admin: postgres.Sql,
  database: string,
  applicationName: string,
): Promise<number[]> {
  const rows = await admin<{ pid: number }[]>`
    select pid from pg_stat_activity
     where datname = ${database} and application_name = ${applicationName}
       and query ilike 'listen %'`;
  return rows.map((row) => row.pid);
}
