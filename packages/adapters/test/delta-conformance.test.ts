import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DuckDbSession, openDuckDbSession } from "../src/delta/index.js";
import { conformanceChecks, runCheck } from "./delta-conformance-cases.js";

// Every fixture table under <repo>/../shared/fixtures/delta, read with the real reader
// and compared with the expected Parquet rows as a multiset; negative and log-only
// tables must be refused with the error that names the reason.
const checks = conformanceChecks();
let session: DuckDbSession;
beforeAll(async () => {
  session = await openDuckDbSession();
});
afterAll(async () => {
  await session.close();
});

describe("Delta conformance fixtures", () => {
  it("finds the fixture cases", () => {
    expect(checks.length).toBeGreaterThan(90);
  });

  for (const check of checks) {
    const version = check.version === undefined ? "latest" : `v${check.version}`;
    const what = "refused" in check.expected ? "is refused" : "reads the expected rows";
    it(`${check.suite}/${check.name} @ ${version} ${what}`, async () => {
      const outcome = await runCheck(check, session);
      expect(outcome.detail).toBeTypeOf("string");
      expect({ result: outcome.result, detail: outcome.detail }).toEqual({
        result: "refused" in check.expected ? "refused" : "pass",
        detail: outcome.detail,
      });
      if (outcome.expectedRows !== undefined) expect(outcome.gotRows).toBe(outcome.expectedRows);
    });
  }
});
