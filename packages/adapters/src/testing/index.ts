export {
  type SqlEngineConformanceOptions,
  sqlEngineConformance,
} from "./sql-engine-conformance.js";
