import { randomUUID } from "node:crypto";
import { LeaseSchema, PHASE_STATUSES, RUN_STATUSES } from "@controlroom/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimBody, createRun, type HttpHarness, openHttpHarness } from "./http-harness.js";
import { parsePrometheusText, type Sample, sampleValue } from "./prometheus-parse.js";

let h: HttpHarness;
beforeAll(async () => {
  h = await openHttpHarness();
});
afterAll(() => h?.close());

async function scrape(harness: HttpHarness = h, token?: string): Promise<Sample[]> {
  const res = await harness.call("GET", "/metrics", token ? { token } : {});
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const { samples, types } = parsePrometheusText(await res.text());
  expect(types.get("controlroom_claim_wait_seconds")).toBe("histogram");
  expect(types.get("controlroom_lease_expirations_total")).toBe("counter");
  return samples;
}

describe("GET /metrics", () => {
  it("is valid exposition text with every family, status and a cumulative histogram", async () => {
    const samples = await scrape();
    for (const status of RUN_STATUSES) sampleValue(samples, "controlroom_runs", { status });
    for (const status of PHASE_STATUSES) sampleValue(samples, "controlroom_phases", { status });
    for (const name of [
      "controlroom_queue_depth",
      "controlroom_lease_expirations_total",
      "controlroom_artifacts_registered_total",
      "controlroom_claim_wait_seconds_sum",
      "controlroom_claim_wait_seconds_count",
    ]) {
      sampleValue(samples, name);
    }
    const buckets = samples.filter((s) => s.name === "controlroom_claim_wait_seconds_bucket");
    expect(buckets.at(-1)?.labels.le).toBe("+Inf");
    const les = buckets.map((b) => (b.labels.le === "+Inf" ? Infinity : Number(b.labels.le)));
    expect([...les].sort((a, b) => a - b)).toEqual(les);
    const counts = buckets.map((b) => b.value);
    for (let i = 1; i < counts.length; i += 1)
      expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1]!);
    expect(buckets.at(-1)?.value).toBe(
      sampleValue(samples, "controlroom_claim_wait_seconds_count"),
    );
  });

  it("moves after a create, a claim and a lease expiry", async () => {
    const before = await scrape();
    const tenant = h.newTenant();
    const executor = await h.token(tenant, "executor");
    await createRun(h, tenant, ["only"]);
    const afterCreate = await scrape();
    expect(sampleValue(afterCreate, "controlroom_runs", { status: "queued" })).toBe(
      sampleValue(before, "controlroom_runs", { status: "queued" }) + 1,
    );
    expect(sampleValue(afterCreate, "controlroom_queue_depth")).toBeGreaterThan(
      sampleValue(before, "controlroom_queue_depth"),
    );

    const res = await h.call("POST", "/ops/claims", {
      token: executor,
      body: claimBody({ lease_seconds: 1 }),
    });
    expect(res.status).toBe(200);
    const lease = LeaseSchema.parse(await res.json());
    const afterClaim = await scrape();
    expect(sampleValue(afterClaim, "controlroom_claim_wait_seconds_count")).toBe(
      sampleValue(before, "controlroom_claim_wait_seconds_count") + 1,
    );
    expect(
      sampleValue(afterClaim, "controlroom_http_requests_total", {
        method: "POST",
        route: "claim",
        status: "200",
      }),
    ).toBeGreaterThanOrEqual(1);

    // Let the lease run out, then let the reaper see it (it runs before every claim).
    const wait = Date.parse(lease.expires_at) - Date.now() + 300;
    await new Promise((resolve) => setTimeout(resolve, Math.max(wait, 0)));
    await h.call("POST", "/ops/claims", {
      token: await h.token(h.newTenant(), "executor"),
      body: claimBody(),
    });
    const afterExpiry = await scrape();
    expect(sampleValue(afterExpiry, "controlroom_lease_expirations_total")).toBe(
      sampleValue(before, "controlroom_lease_expirations_total") + 1,
    );
  });

  it("exposes the newest SOURCE_FRESHNESS report of every stream, per tenant", async () => {
    const acme = h.newTenant();
    const other = h.newTenant();
    const report = (stream: string, ts: string, payload: object) => ({
      event_id: randomUUID(),
      phase: "extract",
      type: "SOURCE_FRESHNESS",
      ts,
      payload: { stream, ...payload },
    });
    const append = async (tenant: string, events: object[]) => {
      const runId = await createRun(h, tenant);
      const res = await h.call("POST", `/ops/runs/${runId}/events`, {
        token: await h.token(tenant, "executor"),
        body: { events },
      });
      expect(res.status).toBe(200);
    };
    // Appended newest first: the newest by event time wins, not the last appended.
    await append(acme, [
      report("account_move", "2026-01-31T12:00:00.000Z", {
        newest: "2026-01-31T11:59:30.000Z",
        lag_ms: 30_000,
        measured_at: "2026-01-31T12:00:00.000Z",
      }),
      report("account_move", "2026-01-31T11:00:00.000Z", {
        newest: "2026-01-31T10:00:00.000Z",
        lag_ms: 3_600_000,
        measured_at: "2026-01-31T11:00:00.000Z",
      }),
      // An empty stream reports no lag; a measured_at that is no timestamp falls back to ts.
      report("res_partner", "2026-01-31T12:00:01.000Z", {
        newest: null,
        lag_ms: null,
        measured_at: "yesterday-ish",
      }),
    ]);
    // A later run of the same tenant, and another tenant with the same stream name.
    await append(acme, [
      report("account_move", "2026-01-31T13:00:00.000Z", {
        newest: "2026-01-31T12:59:58.500Z",
        lag_ms: 1_500,
        measured_at: "2026-01-31T13:00:00.000Z",
      }),
    ]);
    await append(other, [
      report("account_move", "2026-01-31T09:00:00.000Z", {
        newest: "2026-01-31T08:00:00.000Z",
        lag_ms: 7_200_000,
        measured_at: "2026-01-31T09:00:00.000Z",
      }),
    ]);

    const res = await h.call("GET", "/metrics");
    const { samples, types } = parsePrometheusText(await res.text());
    expect(types.get("controlroom_source_freshness_lag_seconds")).toBe("gauge");
    expect(types.get("controlroom_source_freshness_measured_timestamp_seconds")).toBe("gauge");
    const lag = (tenant: string, stream: string) =>
      sampleValue(samples, "controlroom_source_freshness_lag_seconds", {
        tenant_id: tenant,
        stream,
      });
    const measured = (tenant: string, stream: string) =>
      sampleValue(samples, "controlroom_source_freshness_measured_timestamp_seconds", {
        tenant_id: tenant,
        stream,
      });
    expect(lag(acme, "account_move")).toBe(1.5);
    expect(measured(acme, "account_move")).toBe(Date.parse("2026-01-31T13:00:00.000Z") / 1000);
    expect(lag(other, "account_move")).toBe(7_200);
    expect(measured(other, "account_move")).toBe(Date.parse("2026-01-31T09:00:00.000Z") / 1000);
    expect(
      samples.filter(
        (s) =>
          s.name === "controlroom_source_freshness_lag_seconds" &&
          s.labels.tenant_id === acme &&
          s.labels.stream === "res_partner",
      ),
    ).toEqual([]);
    expect(measured(acme, "res_partner")).toBe(Date.parse("2026-01-31T12:00:01.000Z") / 1000);
  });

  it("needs an admin token when metricsRequireAuth is set", async () => {
    const guarded = await openHttpHarness({ metricsRequireAuth: true }, h.store);
    const tenant = guarded.newTenant();
    expect((await guarded.call("GET", "/metrics")).status).toBe(401);
    const viewer = await guarded.token(tenant, "viewer");
    expect((await guarded.call("GET", "/metrics", { token: viewer })).status).toBe(403);
    await scrape(guarded, await guarded.token(tenant, "admin"));
  });
});
