import { describeOpsStore } from "./ops-store-suite.js";
import { postgresDriver } from "./store-harness.js";

describeOpsStore(postgresDriver());
