import postgres from "postgres";
import type { OpsStore } from "../ops-store.js";
import { runMigrations } from "./run-migrations.js";
import type { SqlClient, SqlDatabase } from "./sql-database.js";
import { SqlOpsStore } from "./sql-ops-store.js";
import { WAKE_CHANNELS, wakeSignalOf } from "./wake-channels.js";

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreOptions {
  /** Connection URL of a role that owns (or will own) the `ops` schema. */
  url: string;
  /**
   * Most pooled connections (one more is kept for LISTEN).
   * @default 10
   */
  max?: number | undefined;
  /**
   * Apply pending migrations when opening.
   * @default true
   */
  migrate?: boolean | undefined;
  /**
   * Prepare the store's statements (once per connection), so each later call is one
   * Bind/Execute exchange instead of a Parse/Describe round trip first. Turn it off
   * behind a transaction-mode pooler that does not keep prepared statements (a URL
   * with `?prepare=false` turns it off as well, for servers started by URL alone).
   * @default true
   */
  prepare?: boolean | undefined;
}

/** The part of a postgres.js client the store uses. */
type PostgresSql = postgres.Sql;

function postgresClient(sql: postgres.TransactionSql): SqlClient {
  return {
    async query<Row>(text: string, params: readonly unknown[] = []) {
      const rows = await sql.unsafe(text, [...params] as postgres.ParameterOrJSON<never>[]);
      return rows as unknown as Row[];
    },
    async exec(text: string) {
      // No parameters: the simple protocol, which runs a script of many statements.
      await sql.unsafe(text);
    },
  };
}

/** Adapts a postgres.js pool to {@link SqlDatabase}. */
export function postgresDatabase(sql: PostgresSql): SqlDatabase {
  return {
    async transaction<T>(fn: (client: SqlClient) => Promise<T>): Promise<T> {
      return (await sql.begin((tx) => fn(postgresClient(tx)))) as T;
    },
  };
}

/**
 * Opens the control-plane store on Postgres 15+ (or Supabase) through a postgres.js
 * pool. Wake-ups use LISTEN/NOTIFY, so every server behind a load balancer hears about
 * new runnable work and new events whichever server caused them.
 *
 * @example
 * ```ts
 * const store = await openPostgresStore({ url: process.env.DATABASE_URL!, max: 20 });
 * ```
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<OpsStore> {
  const sql = postgres(options.url, {
    max: options.max ?? 10,
    // CREATE ... IF NOT EXISTS notices are noise, not news.
    onnotice: () => undefined,
  });
  try {
    const database = postgresDatabase(sql);
    if (options.migrate !== false) await runMigrations(database);
    const listeners: { unlisten(): Promise<void> }[] = [];
    const prepare = options.prepare ?? true;
    const store = new SqlOpsStore({
      // Outside sql.begin(): a statement is its own transaction and needs no reserved
      // connection, so postgres.js may also pipeline it behind another on a busy one.
      async query<Row>(text: string, params: readonly unknown[]) {
        const rows = await sql.unsafe(text, [...params] as postgres.ParameterOrJSON<never>[], {
          prepare,
        });
        return rows as unknown as Row[];
      },
      async close() {
        for (const listener of listeners) await listener.unlisten().catch(() => undefined);
        await sql.end({ timeout: 5 });
      },
    });
    for (const channel of Object.values(WAKE_CHANNELS)) {
      listeners.push(
        await sql.listen(channel, (payload) => {
          const signal = wakeSignalOf(channel, payload);
          if (signal) store.wake(signal);
        }),
      );
    }
    return store;
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => undefined);
    throw error;
  }
}
