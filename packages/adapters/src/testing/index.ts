export {
  type SqlEngineConformanceOptions,
  sqlEngineConformance,
} from "./sql-engine-conformance.js";
export {
  TRINO_START_TIMEOUT_MS,
  type TrinoTestServer,
  type TrinoTestSetup,
  trinoSkipReason,
  trinoTestServer,
} from "./trino-test-server.js";
