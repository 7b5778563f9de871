import type { Problem } from "@controlroom/contract";
import { useEffect, useState } from "preact/hooks";
import { UiApiError } from "../api/ui-api-client.js";
import { metricValue, parsePrometheusText } from "../model/prometheus-text.js";

/** The control plane's state at one moment, from `GET /metrics`. */
export interface MetricsSample {
  t: number;
  queueDepth: number;
  runnable: number;
  /** Claimed or running phases: the work executors hold. */
  running: number;
  leaseExpirations: number;
  runsRunning: number;
  runsQueued: number;
}

const KEEP = 720;

/**
 * Samples `GET /metrics` every `intervalMs` while the page is open and keeps the last
 * hour or so, so queue depth and running phases can be drawn over time. The control
 * plane keeps no history of these gauges itself (Prometheus would); this is what the
 * page has seen since it opened.
 */
export function useMetricsHistory(token: string, intervalMs: number) {
  const [samples, setSamples] = useState<MetricsSample[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const sample = async () => {
      try {
        const response = await fetch("/metrics", {
          headers: { authorization: `Bearer ${token}` },
          signal: controller.signal,
        });
        if (!response.ok) {
          const problem = (await response.json().catch(() => ({}))) as Partial<Problem>;
          throw new UiApiError(
            response.status,
            problem.code ?? "internal",
            problem.detail ?? response.statusText,
          );
        }
        const values = parsePrometheusText(await response.text());
        const point: MetricsSample = {
          t: Date.now(),
          queueDepth: metricValue(values, "controlroom_queue_depth"),
          runnable: metricValue(values, "controlroom_phases", { status: "runnable" }),
          running:
            metricValue(values, "controlroom_phases", { status: "running" }) +
            metricValue(values, "controlroom_phases", { status: "claimed" }),
          leaseExpirations: metricValue(values, "controlroom_lease_expirations_total"),
          runsRunning: metricValue(values, "controlroom_runs", { status: "running" }),
          runsQueued: metricValue(values, "controlroom_runs", { status: "queued" }),
        };
        setSamples((old) => old.concat(point).slice(-KEEP));
        setError(undefined);
      } catch (failure) {
        if (controller.signal.aborted) return;
        setError(
          failure instanceof UiApiError || failure instanceof Error
            ? failure
            : new Error(String(failure)),
        );
      }
      if (!controller.signal.aborted) timer = setTimeout(sample, intervalMs);
    };
    void sample();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [token, intervalMs]);
  return { samples, error };
}
