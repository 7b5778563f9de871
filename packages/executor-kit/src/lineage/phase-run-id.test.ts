import { describe, expect, it } from "vitest";
import { uuidV5 } from "../internal/uuid-v5.js";
import { phaseRunId } from "./phase-run-id.js";

describe("phaseRunId", () => {
  it("is RFC 9562 UUIDv5 (the RFC's DNS example)", () => {
    expect(uuidV5("www.example.com", "6ba7b810-9dad-11d1-80b4-00c04fd430c8")).toBe(
      "2ed6657d-e927-568b-95e1-2665a8aea6a2",
    );
    expect(() => uuidV5("x", "not-a-uuid")).toThrow(/not a UUID/);
  });

  it("is stable per run, phase and attempt, and differs between them", () => {
    const run = "0196f5c4-7a1e-7c3d-9b2a-4e8f1d2c3b4a";
    const id = phaseRunId(run, "gold", 1);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(phaseRunId(run, "gold", 1)).toBe(id);
    expect(phaseRunId(run.toUpperCase(), "gold", 1)).toBe(id);
    const others = [
      phaseRunId(run, "gold", 2),
      phaseRunId(run, "silver", 1),
      phaseRunId("0196f5c4-7a1e-7c3d-9b2a-4e8f1d2c3b4b", "gold", 1),
    ];
    expect(new Set([id, ...others]).size).toBe(4);
  });
});
