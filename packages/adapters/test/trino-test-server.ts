import type { TrinoTestServer } from "../src/testing/index.js";
import {
  createTrinoEngine,
  type TrinoEngine,
  type TrinoEngineOptions,
} from "../src/trino/index.js";

// The server helpers live in @controlroom/adapters/testing, so suites in other
// packages (the Odoo example's gold-on-Trino test) share the one server and its rules.
export {
  TRINO_START_TIMEOUT_MS,
  type TrinoTestServer,
  trinoSkipReason,
  trinoTestServer,
} from "../src/testing/index.js";

/** An engine on the server's plain HTTP port, as user `controlroom`. */
export function trinoTestEngine(
  server: TrinoTestServer,
  options: Partial<TrinoEngineOptions> = {},
): TrinoEngine {
  return createTrinoEngine({ server: server.url, user: server.user, ...options });
}
