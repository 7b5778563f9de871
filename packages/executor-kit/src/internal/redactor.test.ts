import { describe, expect, it } from "vitest";
import { REDACTED, Redactor } from "./redactor.js";

describe("Redactor", () => {
  it("replaces secrets deep inside values, keys and errors", () => {
    const redactor = new Redactor();
    redactor.add("p@ss word!");
    const redacted = redactor.redact({
      message: "login with p@ss word!",
      list: ["p@ss word!", 1, null],
      "key-p@ss word!": true,
      url: `https://x/?p=${encodeURIComponent("p@ss word!")}`,
      error: new Error("bad p@ss word!"),
    });
    expect(JSON.stringify(redacted)).not.toContain("p@ss");
    expect(redacted.message).toBe(`login with ${REDACTED}`);
    expect((redacted.error as Error).message).toBe(`bad ${REDACTED}`);
  });

  it("ignores values too short to be secrets and leaves values alone when inactive", () => {
    const redactor = new Redactor();
    const value = { a: "abc" };
    expect(redactor.redact(value)).toBe(value);
    redactor.add("abc");
    expect(redactor.redact(value)).toBe(value);
  });

  it("survives cycles", () => {
    const redactor = new Redactor();
    redactor.add("secret-value");
    const cyclic: Record<string, unknown> = { a: "secret-value" };
    cyclic.self = cyclic;
    expect(redactor.redact(cyclic)).toEqual({ a: REDACTED, self: "[Circular]" });
  });
});
