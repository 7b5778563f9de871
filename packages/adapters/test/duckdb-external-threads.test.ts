import { afterEach, describe, expect, it } from "vitest";
import { EXTERNAL_THREADS_SETTLE_MS } from "../src/duckdb/external-threads-balancer.js";
import { createDuckDbEngine, type DuckDbEngine, DuckDbError } from "../src/duckdb/index.js";

// Runs until interrupted: a statement that is still running whenever the test looks.
const ENDLESS = "SELECT count(*) FROM range(1000000000000) t(i) WHERE i % 7 = 13";

// Read on a connection the engine does not count as running a statement.
async function externalThreads(engine: DuckDbEngine): Promise<number> {
  return engine.withConnection(async (connection) => {
    const reader = await connection.runAndReadAll(
      "SELECT current_setting('external_threads') AS n",
    );
    return Number(reader.getRowObjectsJS()[0]?.n);
  });
}

async function waitFor(
  read: () => Promise<number>,
  expected: number,
  timeoutMs = 5_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (value !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    value = await read();
  }
  return value;
}

// Every set of endless statements started, so that a failed test still stops its own.
const started: { stop(): Promise<void> }[] = [];

// Starts `count` endless statements; `stop()` interrupts them and waits until they ended.
function runEndless(engine: DuckDbEngine, count: number): { stop(): Promise<void> } {
  const controller = new AbortController();
  const running = Array.from({ length: count }, () =>
    engine.query(ENDLESS, { signal: controller.signal }).then(
      () => {
        throw new Error("the endless statement ended by itself");
      },
      (error: unknown) => {
        if (!controller.signal.aborted) throw error;
      },
    ),
  );
  const statements = {
    async stop() {
      controller.abort();
      await Promise.all(running);
    },
  };
  started.push(statements);
  return statements;
}

describe("DuckDbEngine: concurrentQueries", () => {
  let engine: DuckDbEngine | undefined;
  afterEach(async () => {
    await Promise.allSettled(started.splice(0).map((statements) => statements.stop()));
    await engine?.close();
    engine = undefined;
  });
  const open = (options: Parameters<typeof createDuckDbEngine>[0]) => {
    const current = createDuckDbEngine(options);
    engine = current;
    return { current, read: () => externalThreads(current) };
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("leaves that many cores to the queries, and gives them back once they have ended", async () => {
    const { current, read } = open({ threads: 4, concurrentQueries: 2 });
    expect(await read()).toBe(2);
    const statements = runEndless(current, 2);
    await sleep(EXTERNAL_THREADS_SETTLE_MS * 2);
    expect(await read()).toBe(2);
    await statements.stop();
    // Not before the count has settled, then to the one thread a query needs at least.
    const ended = Date.now();
    expect(await waitFor(read, 1)).toBe(1);
    expect(Date.now() - ended).toBeGreaterThanOrEqual(EXTERNAL_THREADS_SETTLE_MS - 10);
  });

  it("gives back the cores of the queries that ended, not of those still running", async () => {
    const { current, read } = open({ threads: 4, concurrentQueries: 3 });
    const two = runEndless(current, 2);
    const one = runEndless(current, 1);
    await sleep(EXTERNAL_THREADS_SETTLE_MS * 2);
    expect(await read()).toBe(3);
    await one.stop();
    expect(await waitFor(read, 2)).toBe(2);
    await sleep(EXTERNAL_THREADS_SETTLE_MS * 2);
    expect(await read()).toBe(2);
    await two.stop();
    expect(await waitFor(read, 1)).toBe(1);
  });

  it("does not take cores away again when more queries run later", async () => {
    const { current, read } = open({ threads: 4, concurrentQueries: 2 });
    await current.query("SELECT 42");
    expect(await waitFor(read, 1)).toBe(1);
    const statements = runEndless(current, 2);
    await sleep(EXTERNAL_THREADS_SETTLE_MS * 2);
    expect(await read()).toBe(1);
    await statements.stop();
  });

  it("is at most threads", async () => {
    const { read } = open({ threads: 2, concurrentQueries: 4 });
    expect(await read()).toBe(2);
  });

  it("leaves DuckDB's default without it, whatever runs at once", async () => {
    const { current, read } = open({ threads: 4 });
    const statements = runEndless(current, 3);
    await sleep(EXTERNAL_THREADS_SETTLE_MS * 2);
    expect(await read()).toBe(1);
    await statements.stop();
  });

  it("leaves an external_threads the caller set as it is", async () => {
    const { current, read } = open({
      threads: 4,
      concurrentQueries: 3,
      settings: { external_threads: "2" },
    });
    expect(await read()).toBe(2);
    await runEndless(current, 3).stop();
    await sleep(EXTERNAL_THREADS_SETTLE_MS * 2);
    expect(await read()).toBe(2);
  });

  it("refuses a count that is not a positive integer", () => {
    for (const concurrentQueries of [0, -1, 1.5, Number.NaN]) {
      const error = (() => {
        try {
          createDuckDbEngine({ concurrentQueries });
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(DuckDbError);
      expect(error).toMatchObject({ code: "DUCKDB_INVALID_ARGUMENT" });
      expect((error as Error).message).toContain("concurrentQueries must be a positive integer");
    }
  });

  it("closes with a change still due", async () => {
    const { current } = open({ threads: 2, concurrentQueries: 2 });
    await runEndless(current, 2).stop();
    // The change is due in EXTERNAL_THREADS_SETTLE_MS: it must not run on the closed database.
    await current.close();
    await sleep(EXTERNAL_THREADS_SETTLE_MS * 2);
    await expect(current.query("SELECT 1")).rejects.toMatchObject({ code: "DUCKDB_CLOSED" });
  });
});
