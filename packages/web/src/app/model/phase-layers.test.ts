import { describe, expect, it } from "vitest";
import { phaseColumns } from "./phase-layers.js";

describe("phaseColumns", () => {
  it("puts each phase one column right of its furthest dependency", () => {
    expect(
      phaseColumns([
        { name: "a", depends_on: [] },
        { name: "b", depends_on: ["a"] },
        { name: "c", depends_on: ["a"] },
        { name: "d", depends_on: ["b", "c"] },
        { name: "e", depends_on: ["a", "d"] },
      ]),
    ).toEqual([["a"], ["b", "c"], ["d"], ["e"]]);
  });

  it("ignores unknown dependencies and does not loop on a cycle", () => {
    expect(
      phaseColumns([
        { name: "a", depends_on: ["ghost", "b"] },
        { name: "b", depends_on: ["a"] },
      ]),
    ).toEqual([["b"], ["a"]]);
  });
});
