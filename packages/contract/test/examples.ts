/** Example bodies for every request of CONTRACT.md, shared by the contract's tests. */
export const GIT_SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
export const RUN_ID = "0190b7a4-8f1e-7c3a-9d2b-1a2b3c4d5e6f";
export const REQUEST_ID = "0190b7a4-8f1e-7c3a-9d2b-000000000001";
export const EVENT_ID = "0190b7a4-8f1e-7c3a-9d2b-000000000002";
export const SHA256 = "a".repeat(64);

export const createRunBody = {
  spec_slug: "odoo-finance",
  git_sha: GIT_SHA,
  environment: "dev",
  phases: [
    { name: "ingest", kind: "ingest", requires: ["duckdb"] },
    { name: "validate", kind: "validate" },
    { name: "silver", kind: "transform" },
    { name: "gold", kind: "transform", retry: { max_attempts: 5, initial_interval_ms: 500 } },
    { name: "publish", kind: "publish", depends_on: ["gold"], timeout_seconds: 600 },
  ],
  input_manifest: { source: "odoo", cursor: null },
  labels: { team: "finance" },
};

export const claimRunBody = {
  executor_id: "worker-1",
  capabilities: ["duckdb"],
  request_id: REQUEST_ID,
  lease_seconds: 60,
};

export const claimBody = {
  executor_id: "worker-1",
  capabilities: ["duckdb"],
  environments: ["dev", "prod"],
  request_id: REQUEST_ID,
  wait_ms: 30_000,
};

export const heartbeatBody = {
  lease_token: "lt_abc",
  progress: { fraction: 0.5, message: "half" },
};

export const appendEventsBody = {
  events: [
    {
      event_id: EVENT_ID,
      phase: "ingest",
      type: "PHASE_PROGRESS",
      ts: "2026-01-31T12:00:00.123Z",
      level: "info",
      message: "read 1000 rows",
      payload: { rows: 1000 },
    },
  ],
};

export const registerArtifactBody = {
  sha256: SHA256,
  size_bytes: 1024,
  media_type: "application/json",
  uri: `file:///data/artifacts/sha256/aa/aa/${SHA256}`,
  metadata: { rows: 10 },
  link: { run_id: RUN_ID, phase: "publish", name: "gold/revenue.manifest.json" },
};

export const completeSucceededBody = {
  lease_token: "lt_abc",
  status: "succeeded",
  output: { rows: 10 },
  output_manifest: { tables: {} },
};

export const completeFailedBody = {
  lease_token: "lt_abc",
  status: "failed",
  error: { message: "source unreachable", code: "ECONNREFUSED", retryable: true },
};
