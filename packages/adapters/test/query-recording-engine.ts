import type { SqlEngine } from "@controlroom/executor-kit";

/**
 * `engine` with the SQL of every `query()` call recorded in order, so that a test can
 * check which statements a call made (a DESCRIBE it should have spared, one COPY).
 */
export function queryRecordingEngine(engine: SqlEngine): { engine: SqlEngine; queries: string[] } {
  const queries: string[] = [];
  const recording: SqlEngine = {
    dialect: engine.dialect,
    execute: (sql, options) => engine.execute(sql, options),
    stream: (sql, options) => engine.stream(sql, options),
    query: (sql, options) => {
      queries.push(sql);
      return engine.query(sql, options);
    },
  };
  return { engine: recording, queries };
}
