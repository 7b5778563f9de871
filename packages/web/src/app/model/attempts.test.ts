import { describe, expect, it } from "vitest";
import { phaseAttempts } from "./attempts.js";
import { testEvent as e } from "./test-events.js";

describe("phaseAttempts", () => {
  it("rebuilds a retried attempt, an expired one and the one that succeeded", () => {
    const events = [
      e({ type: "RUN_CREATED" }),
      e({
        type: "PHASE_CLAIMED",
        phase: "a",
        payload: { attempt: 1, executor_id: "w1" },
        ts: "2026-01-01T00:00:01.000Z",
      }),
      e({
        type: "PHASE_STARTED",
        phase: "a",
        payload: { attempt: 1 },
        ts: "2026-01-01T00:00:02.000Z",
      }),
      e({ type: "PHASE_PROGRESS", phase: "a", payload: { attempt: 1 } }),
      e({
        type: "PHASE_RETRY_SCHEDULED",
        phase: "a",
        payload: { attempt: 1, error: { message: "source timed out" } },
        ts: "2026-01-01T00:00:05.000Z",
      }),
      e({ type: "PHASE_CLAIMED", phase: "a", payload: { attempt: 2, executor_id: "w2" } }),
      e({
        type: "LEASE_EXPIRED",
        phase: "a",
        payload: { attempt: 2 },
        message: "attempt 2 was not heartbeated",
      }),
      e({
        type: "PHASE_RETRY_SCHEDULED",
        phase: "a",
        payload: { attempt: 2, error: { message: "lease expired" } },
      }),
      e({ type: "PHASE_CLAIMED", phase: "a", payload: { attempt: 3, executor_id: "w1" } }),
      e({ type: "PHASE_STARTED", phase: "a", payload: { attempt: 3 } }),
      e({ type: "PHASE_SUCCEEDED", phase: "a", payload: { attempt: 3 } }),
      e({ type: "PHASE_CLAIMED", phase: "b", payload: { attempt: 1, executor_id: "w1" } }),
    ];
    const attempts = phaseAttempts(events);
    expect(attempts.map((a) => [a.phase, a.attempt, a.outcome, a.retried])).toEqual([
      ["a", 1, "failed", true],
      ["a", 2, "expired", true],
      ["a", 3, "succeeded", false],
      ["b", 1, "running", false],
    ]);
    expect(attempts[0]).toMatchObject({
      executor: "w1",
      claimedAt: "2026-01-01T00:00:01.000Z",
      startedAt: "2026-01-01T00:00:02.000Z",
      endedAt: "2026-01-01T00:00:05.000Z",
      message: "source timed out",
    });
    expect(attempts[1]?.message).toBe("attempt 2 was not heartbeated");
    expect(attempts[1]?.startedAt).toBeNull();
    expect(attempts[3]?.endedAt).toBeNull();
  });

  it("marks a failed last attempt and a cancelled one", () => {
    const attempts = phaseAttempts([
      e({ type: "PHASE_CLAIMED", phase: "x", payload: { attempt: 1 } }),
      e({
        type: "PHASE_FAILED",
        phase: "x",
        payload: { attempt: 1, error: { message: "bad rows" } },
      }),
      e({ type: "PHASE_CLAIMED", phase: "y", payload: { attempt: 1 } }),
      e({
        type: "PHASE_CANCELLED",
        phase: "y",
        payload: { attempt: 1 },
        message: "cancelled: the run was cancelled",
      }),
    ]);
    expect(attempts.map((a) => [a.phase, a.outcome, a.message])).toEqual([
      ["x", "failed", "bad rows"],
      ["y", "cancelled", "cancelled: the run was cancelled"],
    ]);
  });
});
