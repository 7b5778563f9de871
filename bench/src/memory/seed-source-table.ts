import postgres from "postgres";

/** The table the memory benchmark ingests: Odoo-like columns, `(write_date, id)` indexed. */
export const SOURCE_TABLE = "bench_moves";

/**
 * Creates `bench_moves` with `rows` rows in one `generate_series` statement (about 4 s
 * per million rows here): id, write_date (one second apart), name, partner_id, state,
 * amount_total (numeric), currency, and a short jsonb note, roughly an `account_move`.
 * Then indexes `(write_date, id)` for the source's keyset reads and analyzes it.
 */
export async function seedSourceTable(databaseUrl: string, rows: number): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    await sql.unsafe(`drop table if exists ${SOURCE_TABLE}`);
    await sql.unsafe(`
      create table ${SOURCE_TABLE} as
      select g::bigint as id,
             timestamp '2024-01-01' + g * interval '1 second' as write_date,
             'INV/2024/' || lpad(g::text, 8, '0') as name,
             (g % 5000)::int as partner_id,
             (array['draft', 'posted', 'cancel'])[1 + g % 3] as state,
             round((g % 100000) / 7.0, 2)::numeric(16, 2) as amount_total,
             'EUR'::text as currency,
             jsonb_build_object('line', g % 7, 'ref', 'R' || g) as note
        from generate_series(1, ${Math.floor(rows)}) as g`);
    await sql.unsafe(`alter table ${SOURCE_TABLE} add primary key (id)`);
    await sql.unsafe(`create index on ${SOURCE_TABLE} (write_date, id)`);
    await sql.unsafe(`analyze ${SOURCE_TABLE}`);
  } finally {
    await sql.end({ timeout: 1 });
  }
}
