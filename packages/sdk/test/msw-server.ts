import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import { ControlRoomClient, type RetryOptions } from "../src/index.js";

/** An msw server that fails any request no handler expects. */
export function useMswServer() {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

export const BASE_URL = "http://controlroom.test";
export const RUN_ID = "0190b7a4-8f1e-7c3a-9d2b-1a2b3c4d5e6f";
export const GIT_SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
const NOW = "2026-01-31T12:00:00.000Z";

export function problemBody(code: string, status: number, detail = "no") {
  return { type: `https://controlroom.dev/problems/${code}`, title: code, status, detail, code };
}

export const runBody = {
  run_id: RUN_ID,
  tenant_id: "t1",
  spec_slug: "demo",
  git_sha: GIT_SHA,
  environment: "dev",
  status: "queued",
  phases: [],
  input_manifest: {},
  output_manifest: null,
  labels: {},
  cancel_requested: false,
  created_at: NOW,
  started_at: null,
  finished_at: null,
};

export const leaseBody = {
  lease_token: "lt_1",
  run_id: RUN_ID,
  phase: "a",
  attempt: 1,
  expires_at: NOW,
  heartbeat_interval_ms: 20000,
  spec_slug: "demo",
  git_sha: GIT_SHA,
  environment: "dev",
  input_manifest: {},
  phase_spec: {
    name: "a",
    kind: "custom",
    depends_on: [],
    timeout_seconds: 60,
    retry: {
      max_attempts: 3,
      initial_interval_ms: 1000,
      backoff_coefficient: 2,
      max_interval_ms: 60000,
    },
    requires: [],
    params: {},
  },
  upstream_outputs: {},
};

export const createBody = {
  spec_slug: "demo",
  git_sha: GIT_SHA,
  environment: "dev" as const,
  phases: [{ name: "a", kind: "custom" as const }],
  input_manifest: {},
};

/**
 * The two ways a request can leave: Node's http module (the default on Node) and a
 * fetch given in the options (what browsers use). msw sees both.
 */
export const TRANSPORTS = [
  ["Node's http", undefined],
  ["a given fetch", ((input, init) => globalThis.fetch(input, init)) as typeof fetch],
] as const;

/** A client factory sending over `fetchOption` (undefined: the default transport). */
export function clientOver(fetchOption: typeof fetch | undefined, retry: RetryOptions) {
  return (extra: ConstructorParameters<typeof ControlRoomClient>[0] = {}) =>
    new ControlRoomClient({
      baseUrl: BASE_URL,
      token: "t",
      retry,
      ...(fetchOption ? { fetch: fetchOption } : {}),
      ...extra,
    });
}
