import { afterAll, afterEach, beforeAll, beforeEach, describe } from "vitest";
import type { StoreDriver, StoreHarness } from "./store-harness.js";
import { claimsSuite } from "./suites/claims-suite.js";
import { dagSuite } from "./suites/dag-suite.js";
import { eventsArtifactsSuite } from "./suites/events-artifacts-suite.js";
import { leasesSuite } from "./suites/leases-suite.js";
import { rlsSuite } from "./suites/rls-suite.js";
import { runsSuite } from "./suites/runs-suite.js";

/** What every topic suite receives: the current test's harness and the driver. */
export interface SuiteContext {
  driver: StoreDriver;
  /** The harness of the running test (a fresh database). */
  readonly h: StoreHarness;
}

/**
 * The OpsStore conformance suite: the same behaviour asserted on every driver, each
 * test on a fresh database.
 */
export function describeOpsStore(driver: StoreDriver): void {
  describe.skipIf(!driver.available)(`OpsStore on ${driver.name}`, () => {
    let current: StoreHarness | undefined;
    const ctx: SuiteContext = {
      driver,
      get h() {
        if (!current) throw new Error("no harness: used outside a test");
        return current;
      },
    };
    beforeAll(() => driver.prepare());
    afterAll(() => driver.dispose());
    beforeEach(async () => {
      current = await driver.open();
    });
    afterEach(async () => {
      await current?.close();
      current = undefined;
    });

    runsSuite(ctx);
    claimsSuite(ctx);
    leasesSuite(ctx);
    dagSuite(ctx);
    eventsArtifactsSuite(ctx);
    rlsSuite(ctx);
  });
}
