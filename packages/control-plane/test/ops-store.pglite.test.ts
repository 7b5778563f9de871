import { describeOpsStore } from "./ops-store-suite.js";
import { pgliteDriver } from "./store-harness.js";

describeOpsStore(pgliteDriver());
