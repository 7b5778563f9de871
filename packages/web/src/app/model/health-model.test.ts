import type { Run } from "@controlroom/contract";
import { describe, expect, it } from "vitest";
import { freshnessSeries } from "./freshness-series.js";
import { phaseSuccess } from "./phase-success.js";
import { metricValue, parsePrometheusText } from "./prometheus-text.js";
import { testEvent as e } from "./test-events.js";

describe("parsePrometheusText", () => {
  it("reads samples with labels and skips comments", () => {
    const samples = parsePrometheusText(
      [
        "# HELP controlroom_phases Phases by status.",
        "# TYPE controlroom_phases gauge",
        'controlroom_phases{status="runnable"} 3',
        'controlroom_phases{status="running"} 2',
        'controlroom_source_freshness_lag_seconds{tenant_id="t",stream="a \\"b\\""} 1.5',
        "controlroom_queue_depth 4",
      ].join("\n"),
    );
    expect(metricValue(samples, "controlroom_phases")).toBe(5);
    expect(metricValue(samples, "controlroom_phases", { status: "running" })).toBe(2);
    expect(metricValue(samples, "controlroom_queue_depth")).toBe(4);
    expect(samples.find((s) => s.name.includes("freshness"))?.labels.stream).toBe('a "b"');
  });
});

describe("phaseSuccess", () => {
  const run = (phases: [string, string, number][]) =>
    ({
      phases: phases.map(([name, status, attempt]) => ({ name, status, attempt })),
    }) as unknown as Run;

  it("counts succeeded and failed phases by name, and their retries", () => {
    const stats = phaseSuccess([
      run([
        ["ingest", "succeeded", 1],
        ["validate", "failed", 3],
        ["publish", "skipped", 0],
      ]),
      run([
        ["ingest", "succeeded", 2],
        ["validate", "succeeded", 1],
        ["publish", "succeeded", 1],
      ]),
    ]);
    expect(stats).toEqual([
      { phase: "ingest", succeeded: 2, failed: 0, retries: 1, rate: 1 },
      { phase: "validate", succeeded: 1, failed: 1, retries: 2, rate: 0.5 },
      { phase: "publish", succeeded: 1, failed: 0, retries: 0, rate: 1 },
    ]);
  });
});

describe("freshnessSeries", () => {
  it("gives each stream its lag over time, in time order", () => {
    const series = freshnessSeries([
      e({
        type: "SOURCE_FRESHNESS",
        payload: { stream: "a", lag_ms: 2_000, measured_at: "2026-01-01T00:00:10Z" },
      }),
      e({
        type: "SOURCE_FRESHNESS",
        payload: { stream: "a", lag_ms: 5_000, measured_at: "2026-01-01T00:00:05Z" },
      }),
      e({
        type: "SOURCE_FRESHNESS",
        payload: { stream: "b", newest: null, measured_at: "2026-01-01T00:00:05Z" },
      }),
      e({ type: "LOG", payload: { stream: "a", lag_ms: 1 } }),
    ]);
    expect([...series.keys()]).toEqual(["a"]);
    expect(series.get("a")?.map((p) => p.lagSeconds)).toEqual([5, 2]);
  });
});
