import type { Run } from "@controlroom/contract";
import { describe, expect, it } from "vitest";
import { filterEvents } from "./event-filter.js";
import { elapsedMs, formatBytes, formatDuration } from "./format.js";
import { runArtifacts } from "./run-artifacts.js";
import { runTables } from "./run-tables.js";
import { testEvent as e } from "./test-events.js";

describe("runTables", () => {
  it("lists each table of the output manifest once, bronze to gold", () => {
    const run = {
      phases: [{ name: "ingest" }, { name: "gold" }, { name: "publish" }],
      output_manifest: {
        phases: {
          publish: {
            "gold.g": { kind: "table", location: "gold/g", version: 9, rows: 1 },
            "gold/g/query.sql": { kind: "artifact", sha256: "x" },
          },
          gold: {
            "gold.g": { kind: "table", location: "gold/g", version: 2, rows: 4, sha256: "s" },
          },
          ingest: { "bronze.b": { kind: "table", location: "bronze/b", version: 0 } },
        },
      },
    } as unknown as Run;
    expect(runTables(run).map((t) => [t.name, t.layer, t.phase, t.version])).toEqual([
      ["bronze.b", "bronze", "ingest", 0],
      ["gold.g", "gold", "gold", 2],
    ]);
  });

  it("is empty while the run has no manifest", () => {
    expect(runTables({ phases: [], output_manifest: null } as unknown as Run)).toEqual([]);
  });
});

describe("runArtifacts", () => {
  it("reads ARTIFACT_REGISTERED events, each link once", () => {
    const payload = {
      name: "r.json",
      sha256: "a".repeat(64),
      media_type: "application/json",
      size_bytes: 3,
      uri: "file:///x",
    };
    const artifacts = runArtifacts([
      e({ type: "ARTIFACT_REGISTERED", phase: "p", payload }),
      e({ type: "ARTIFACT_REGISTERED", phase: "p", payload }),
      e({ type: "LOG", phase: "p", payload }),
    ]);
    expect(artifacts).toEqual([
      {
        name: "r.json",
        phase: "p",
        sha256: "a".repeat(64),
        mediaType: "application/json",
        sizeBytes: 3,
        uri: "file:///x",
      },
    ]);
  });
});

describe("filterEvents", () => {
  const events = [
    e({ type: "RUN_CREATED" }),
    e({ type: "LOG", phase: "a", level: "debug", message: "noise" }),
    e({ type: "PHASE_FAILED", phase: "a", level: "error", message: "Bad rows" }),
    e({ type: "LOG", phase: "b", level: "warn", message: "slow" }),
  ];
  it("keeps a phase, a level and above, and matching text", () => {
    expect(
      filterEvents(events, { phase: "a", minLevel: "debug", text: "" }).map((x) => x.type),
    ).toEqual(["LOG", "PHASE_FAILED"]);
    expect(
      filterEvents(events, { phase: "", minLevel: "warn", text: "" }).map((x) => x.message),
    ).toEqual(["Bad rows", "slow"]);
    expect(
      filterEvents(events, { phase: "run", minLevel: "debug", text: "" }).map((x) => x.type),
    ).toEqual(["RUN_CREATED"]);
    expect(
      filterEvents(events, { phase: "", minLevel: "debug", text: "bad" }).map((x) => x.type),
    ).toEqual(["PHASE_FAILED"]);
  });
});

describe("format", () => {
  it("writes durations and sizes for people", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(12_400)).toBe("12.4 s");
    expect(formatDuration(185_000)).toBe("3 min 5 s");
    expect(formatDuration(2 * 3_600_000 + 4 * 60_000)).toBe("2 h 4 min");
    expect(formatBytes(812)).toBe("812 B");
    expect(formatBytes(11_036)).toBe("10.8 KiB");
    expect(elapsedMs("2026-01-01T00:00:00Z", null, Date.parse("2026-01-01T00:00:05Z"))).toBe(5_000);
    expect(elapsedMs(null, null, 0)).toBeUndefined();
  });
});
