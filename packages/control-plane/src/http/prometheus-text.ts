import { PHASE_STATUSES, RUN_STATUSES } from "@controlroom/contract";
import type { OpsMetricsSnapshot } from "../ops-store.js";
import type { HttpRequestCount } from "./http-stats.js";

/** The media type of the Prometheus text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** What {@link renderPrometheusText} shows beyond the store's numbers. */
export interface ServerGauges {
  requests: HttpRequestCount[];
  inFlight: number;
  longPolls: number;
}

type Labels = Record<string, string>;

/**
 * Renders the control plane's metrics in the Prometheus text format (version 0.0.4):
 * each family with `# HELP` and `# TYPE`, every run and phase status present (0 when
 * none), and the claim-wait histogram with cumulative `_bucket{le}` series ending in
 * `+Inf`, `_sum` and `_count`. Source freshness gauges carry `tenant_id` and `stream`.
 *
 * @example
 * ```ts
 * const text = renderPrometheusText(await store.metrics(), { requests: [], inFlight: 0, longPolls: 0 });
 * ```
 */
export function renderPrometheusText(store: OpsMetricsSnapshot, server: ServerGauges): string {
  const lines: string[] = [];
  const family = (name: string, type: string, help: string) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  };
  const sample = (name: string, value: number, labels: Labels = {}) => {
    lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
  };

  family("controlroom_runs", "gauge", "Runs by status.");
  for (const status of RUN_STATUSES) {
    sample("controlroom_runs", store.runsByStatus[status] ?? 0, { status });
  }
  family("controlroom_phases", "gauge", "Phases by status.");
  for (const status of PHASE_STATUSES) {
    sample("controlroom_phases", store.phasesByStatus[status] ?? 0, { status });
  }
  family("controlroom_queue_depth", "gauge", "Phases runnable now and not claimed.");
  sample("controlroom_queue_depth", store.queueDepth);
  family(
    "controlroom_lease_expirations_total",
    "counter",
    "Leases the control plane expired because they were not heartbeated or ran past their timeout.",
  );
  sample("controlroom_lease_expirations_total", store.leaseExpirationsTotal);
  family(
    "controlroom_artifacts_registered_total",
    "counter",
    "Content-addressed artifacts registered.",
  );
  sample("controlroom_artifacts_registered_total", store.artifactsTotal);

  family(
    "controlroom_claim_wait_seconds",
    "histogram",
    "Seconds from a phase becoming runnable to its claim.",
  );
  const buckets = [...store.claimWait.buckets]
    .filter((bucket) => Number.isFinite(bucket.le))
    .sort((a, b) => a.le - b.le);
  for (const bucket of buckets) {
    sample("controlroom_claim_wait_seconds_bucket", bucket.count, { le: formatValue(bucket.le) });
  }
  sample("controlroom_claim_wait_seconds_bucket", store.claimWait.count, { le: "+Inf" });
  sample("controlroom_claim_wait_seconds_sum", store.claimWait.sum);
  sample("controlroom_claim_wait_seconds_count", store.claimWait.count);

  // Per tenant: stream names are the tenants' own, and two tenants may use the same one.
  family(
    "controlroom_source_freshness_lag_seconds",
    "gauge",
    "Seconds a source stream's newest row was behind the clock, as its newest SOURCE_FRESHNESS event reported (no sample while the stream reports none, e.g. when empty).",
  );
  for (const row of store.sourceFreshness) {
    if (row.lagSeconds === null) continue;
    sample("controlroom_source_freshness_lag_seconds", row.lagSeconds, {
      tenant_id: row.tenantId,
      stream: row.stream,
    });
  }
  family(
    "controlroom_source_freshness_measured_timestamp_seconds",
    "gauge",
    "When that newest SOURCE_FRESHNESS report was measured, in Unix seconds.",
  );
  for (const row of store.sourceFreshness) {
    sample("controlroom_source_freshness_measured_timestamp_seconds", row.measuredAtSeconds, {
      tenant_id: row.tenantId,
      stream: row.stream,
    });
  }

  family(
    "controlroom_http_requests_total",
    "counter",
    "HTTP requests answered by this server, by operation and status.",
  );
  for (const row of server.requests) {
    sample("controlroom_http_requests_total", row.count, {
      method: row.method,
      route: row.route,
      status: String(row.status),
    });
  }
  family("controlroom_http_requests_in_flight", "gauge", "Requests to /ops in progress.");
  sample("controlroom_http_requests_in_flight", server.inFlight);
  family("controlroom_http_long_polls", "gauge", "Long-polls waiting now.");
  sample("controlroom_http_long_polls", server.longPolls);
  return `${lines.join("\n")}\n`;
}

function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  const body = entries.map(([key, value]) => `${key}="${escapeLabelValue(value)}"`).join(",");
  return `{${body}}`;
}

// The exposition format escapes exactly these three in label values.
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}
