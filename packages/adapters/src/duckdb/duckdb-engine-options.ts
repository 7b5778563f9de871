/** Options of {@link createDuckDbEngine}. */
export interface DuckDbEngineOptions {
  /**
   * The database file, or `":memory:"` for a database that lives only in this
   * process.
   * @default ":memory:"
   */
  path?: string | undefined;
  /**
   * How many threads DuckDB runs a query on.
   * @default undefined (DuckDB's default: one per core)
   */
  threads?: number | undefined;
  /**
   * How many queries the caller starts at once at first (two lanes of writes: 2). The
   * thread that runs a query works on its tasks too, beside DuckDB's own threads, so
   * DuckDB is told (`external_threads`, at most `threads`) and starts that many fewer
   * threads of its own: the queries then share the cores instead of running on more
   * threads than there are. Once fewer queries have run for 100 ms, DuckDB gets the
   * freed cores back (a query left alone runs on them), and they are not taken away
   * again. Ignored when `settings` gives `external_threads`.
   * @default 1
   */
  concurrentQueries?: number | undefined;
  /**
   * The memory DuckDB may use before it spills to `tempDirectory` or fails, in
   * DuckDB's syntax (`"2GB"`, `"512MiB"`).
   * @default undefined (DuckDB's default: 80% of RAM)
   */
  memoryLimit?: string | undefined;
  /**
   * Where DuckDB spills intermediate results that do not fit in `memoryLimit`.
   * @default undefined (DuckDB's default: `<path>.tmp`, or `.tmp` for in-memory)
   */
  tempDirectory?: string | undefined;
  /**
   * More DuckDB settings passed when the database is created (`{ preserve_insertion_order: "false" }`).
   * Extension auto-install and auto-load stay off whatever is given here.
   * @default {}
   */
  settings?: Readonly<Record<string, string>> | undefined;
}
