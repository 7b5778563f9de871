import { describe, expect, it } from "vitest";
import { SharedDuckDbInstance } from "../src/delta/shared-duckdb-instance.js";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("SharedDuckDbInstance", () => {
  it("gives each lease its own connection to one database while any lease is out", async () => {
    const shared = new SharedDuckDbInstance(20);
    const first = shared.lease();
    const second = shared.lease();
    await first.connection.run("CREATE TABLE seen AS SELECT 42 AS answer");
    await first.connection.run("SET TimeZone = 'America/New_York'");
    await second.connection.run("SET TimeZone = 'UTC'");
    const zone = async (lease: typeof first) =>
      (
        await lease.connection.runAndReadAll("SELECT current_setting('TimeZone') AS zone")
      ).getRowObjectsJS()[0]?.zone;
    expect([await zone(first), await zone(second)]).toEqual(["America/New_York", "UTC"]);
    await first.release();
    await pause(60);
    // The second lease is still out: the database (and its table) must still be there.
    const rows = (
      await second.connection.runAndReadAll("SELECT answer FROM seen")
    ).getRowObjectsJS();
    expect(rows).toEqual([{ answer: 42 }]);
    await second.release();
  });

  it("closes the database once idle and opens a new one for the next lease", async () => {
    const shared = new SharedDuckDbInstance(10);
    const first = shared.lease();
    await first.connection.run("CREATE TABLE gone AS SELECT 1 AS x");
    await first.release();
    await first.release(); // twice is harmless
    await pause(60);
    const next = shared.lease();
    await expect(next.connection.run("SELECT * FROM gone")).rejects.toThrow(/gone/);
    await next.release();
  });
});
