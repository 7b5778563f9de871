/** This package's version, as OpenLineage `producer` URIs and engine facets name it. */
export const EXECUTOR_KIT_VERSION = "0.1.0";
