import { describe, expect, it } from "vitest";
import type { RunArtifact } from "./run-artifacts.js";
import { parseSqlPreview, sqlOutputs } from "./sql-outputs.js";

const artifact = (name: string, mediaType = "application/json"): RunArtifact => ({
  name,
  phase: "publish",
  sha256: name.padEnd(64, "0").slice(0, 64),
  mediaType,
  sizeBytes: 10,
  uri: `file:///lake/${name}`,
});

describe("sqlOutputs", () => {
  it("groups each query with the preview and manifest published beside it", () => {
    const outputs = sqlOutputs([
      artifact("validation-report.json"),
      artifact("gold/b/query.sql", "application/sql"),
      artifact("gold/a/query.sql", "application/sql"),
      artifact("gold/a/preview.json"),
      artifact("gold/a/result-manifest.json"),
    ]);
    expect(outputs.map((o) => [o.name, o.preview?.name, o.manifest?.name])).toEqual([
      ["gold/a", "gold/a/preview.json", "gold/a/result-manifest.json"],
      ["gold/b", undefined, undefined],
    ]);
  });
});

describe("parseSqlPreview", () => {
  it("reads publish's preview document", () => {
    const preview = parseSqlPreview(
      JSON.stringify({
        columns: [{ name: "id", type: "long" }, { name: "v" }],
        rows: [{ id: 1, v: null }],
        total_rows: 7,
      }),
    );
    expect(preview).toEqual({ columns: ["id", "v"], rows: [{ id: 1, v: null }], totalRows: 7 });
  });

  it("refuses a document without rows", () => {
    expect(() => parseSqlPreview('{"columns": []}')).toThrow(/no rows/);
  });
});
