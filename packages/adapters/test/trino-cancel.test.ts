import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrinoEngine } from "../src/trino/index.js";
import {
  TRINO_START_TIMEOUT_MS,
  type TrinoTestServer,
  trinoSkipReason,
  trinoTestEngine,
  trinoTestServer,
} from "./trino-test-server.js";

// Cancelling must stop the query on the server, not only the wait for it: each test
// runs its query under a source of its own and then reads the query's end state from
// Trino's system.runtime.queries.
const skip = trinoSkipReason();
const slowSql =
  "SELECT sum(CAST(a.i AS double) * b.j * c.k) AS s FROM UNNEST(sequence(1, 10000)) a(i) " +
  "CROSS JOIN UNNEST(sequence(1, 10000)) b(j) CROSS JOIN UNNEST(sequence(1, 10000)) c(k)";

describe.skipIf(skip !== undefined)(
  `Trino cancellation${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    let server: TrinoTestServer;
    let monitor: TrinoEngine;
    beforeAll(async () => {
      server = await trinoTestServer();
      monitor = trinoTestEngine(server);
    }, TRINO_START_TIMEOUT_MS);
    afterAll(() => monitor?.close());

    // The queries run under `source`, once the server has settled them (or the last seen).
    async function settledQueries(source: string) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const { rows } = await monitor.query<{ state: string; error_code: string | null }>(
          "SELECT state, error_code FROM system.runtime.queries WHERE source = ? ORDER BY created",
          { params: [source] },
        );
        const settled = rows.every((row) => row.state === "FINISHED" || row.state === "FAILED");
        if ((rows.length > 0 && settled) || Date.now() > deadline) return rows;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }

    function engineWithSource() {
      const source = `controlroom-cancel-${crypto.randomUUID()}`;
      return { source, engine: trinoTestEngine(server, { source }) };
    }

    it("cancels a running query on the server when the signal aborts", async () => {
      const { source, engine } = engineWithSource();
      const controller = new AbortController();
      const reason = new Error("phase timed out");
      const query = engine.query(slowSql, { signal: controller.signal });
      // Let it get past queueing and planning into execution first.
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const { rows } = await monitor.query(
          "SELECT state FROM system.runtime.queries WHERE source = ?",
          {
            params: [source],
          },
        );
        if (rows[0]?.state === "RUNNING") break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      controller.abort(reason);
      await expect(query).rejects.toBe(reason);
      expect(await settledQueries(source)).toEqual([
        { state: "FAILED", error_code: "USER_CANCELED" },
      ]);
      await engine.close();
    });

    it("cancels a query whose submission is still in flight when the signal aborts", async () => {
      const { source, engine } = engineWithSource();
      const controller = new AbortController();
      const query = engine.query(slowSql, { signal: controller.signal });
      controller.abort(new Error("right away"));
      await expect(query).rejects.toThrow("right away");
      // Trino creates a query when the client first fetches its queued URI; the engine
      // deletes that URI instead, so the query never runs — or, had it started, is cancelled.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const { rows } = await monitor.query(
        "SELECT state, error_code FROM system.runtime.queries WHERE source = ?",
        { params: [source] },
      );
      for (const row of rows) expect(row).toEqual({ state: "FAILED", error_code: "USER_CANCELED" });
      expect((await engine.query("SELECT 2 AS two")).rows).toEqual([{ two: 2 }]);
      await engine.close();
    });

    it("cancels the rest of a streamed query when the loop breaks", async () => {
      const { source, engine } = engineWithSource();
      let batches = 0;
      for await (const _ of engine.stream("SELECT * FROM tpch.sf1.lineitem", {
        batchSize: 1_000,
      })) {
        if (++batches === 2) break;
      }
      expect(batches).toBe(2);
      expect(await settledQueries(source)).toEqual([
        { state: "FAILED", error_code: "USER_CANCELED" },
      ]);
      await engine.close();
    });

    it("cancels a streamed query when the signal aborts between batches", async () => {
      const { source, engine } = engineWithSource();
      const controller = new AbortController();
      const reason = new Error("stop");
      const consume = async () => {
        for await (const _ of engine.stream("SELECT * FROM tpch.sf1.lineitem", {
          batchSize: 1_000,
          signal: controller.signal,
        })) {
          controller.abort(reason);
        }
      };
      await expect(consume()).rejects.toBe(reason);
      expect(await settledQueries(source)).toEqual([
        { state: "FAILED", error_code: "USER_CANCELED" },
      ]);
      await engine.close();
    });

    it("lets a query that finished stay FINISHED", async () => {
      const { source, engine } = engineWithSource();
      const controller = new AbortController();
      expect((await engine.query("SELECT 1 AS one", { signal: controller.signal })).rows).toEqual([
        { one: 1 },
      ]);
      controller.abort();
      expect(await settledQueries(source)).toEqual([{ state: "FINISHED", error_code: null }]);
      await engine.close();
    });
  },
);
