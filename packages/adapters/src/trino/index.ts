export { AdapterError, isAdapterError } from "../internal/adapter-error.js";
export { createTrinoEngine, TrinoEngine } from "./trino-engine.js";
export type { TrinoAuth, TrinoEngineOptions, TrinoTlsOptions } from "./trino-engine-options.js";
export { TrinoError, type TrinoErrorCode, type TrinoErrorDetails } from "./trino-error.js";
