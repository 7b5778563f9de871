import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson, manifestSha256 } from "../src/index.js";

describe("canonicalJson / manifestSha256", () => {
  it("sorts keys at every level and keeps array order", () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }, 1], u: undefined })).toBe(
      '{"a":[{"c":3,"d":2},1],"b":1}',
    );
  });

  it("hashes equal manifests equally whatever their key order, and differing ones not", async () => {
    const a = { phases: { gold: { "gold.x": { sha256: "ab", version: 1 } }, ingest: {} } };
    const b = { phases: { ingest: {}, gold: { "gold.x": { version: 1, sha256: "ab" } } } };
    expect(await manifestSha256(a)).toBe(await manifestSha256(b));
    expect(await manifestSha256(a)).toBe(
      createHash("sha256").update(canonicalJson(a)).digest("hex"),
    );
    const c = { phases: { ingest: {}, gold: { "gold.x": { version: 2, sha256: "ab" } } } };
    expect(await manifestSha256(c)).not.toBe(await manifestSha256(a));
  });
});
