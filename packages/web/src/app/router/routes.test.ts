import { describe, expect, it } from "vitest";
import { parseRoute, runPath, tablePath } from "./routes.js";

describe("parseRoute", () => {
  it("maps paths to screens and back", () => {
    expect(parseRoute("/", "")).toEqual({ page: "runs" });
    expect(parseRoute("/runs", "?status=failed")).toEqual({ page: "runs" });
    expect(parseRoute(runPath("0190-a"), "")).toEqual({ page: "run", runId: "0190-a" });
    const table = new URL(tablePath("gold.x", "r1", 3), "http://h");
    expect(parseRoute(table.pathname, table.search)).toEqual({
      page: "table",
      name: "gold.x",
      runId: "r1",
      version: 3,
    });
    expect(parseRoute("/tables/gold.x", "")).toEqual({ page: "not-found", path: "/tables/gold.x" });
    expect(parseRoute("/health", "")).toEqual({ page: "health" });
  });
});
