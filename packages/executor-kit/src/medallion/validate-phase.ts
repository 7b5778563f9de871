import type { PhaseContext } from "../context/phase-context.js";
import { NonRetryableError } from "../errors/non-retryable-error.js";
import type { SqlEngine } from "../ports/sql-engine.js";
import type { TableSnapshot } from "../ports/table-format.js";
import { type BronzeVersions, bronzeViews } from "./bronze-views.js";
import { toJsonRow } from "./json-row.js";
import { lakehouseOf } from "./medallion-adapters.js";
import type { MedallionConfig } from "./medallion-config.js";
import type { MedallionLayout } from "./medallion-layout.js";
import {
  IngestOutput,
  pinnedInputs,
  upstreamOutput,
  type ValidateOutput,
} from "./medallion-outputs.js";

/** Rows of a failed check named in its event and error. */
const SAMPLE_ROWS = 20;

interface Finding {
  check: string;
  severity: "error" | "warn";
  description: string;
  violations: number;
  sample: Record<string, unknown>[];
}

/**
 * Validate: the bronze versions ingest wrote must exist, honour their schema contracts
 * and carry no drift the policy fails on; then every row check runs over them. Each
 * failure is a `VALIDATION_FAILED` event naming a sample of the offending rows; any
 * error-severity failure fails the run (not retryable: the data will not change by
 * trying again). The report is an artifact either way.
 */
export async function runValidate(
  config: MedallionConfig,
  layout: MedallionLayout,
  ctx: PhaseContext,
): Promise<ValidateOutput> {
  const lake = lakehouseOf(config, ctx);
  // A rebuild has no ingest upstream: it validates the versions pinned in its params.
  const pinned = "ingest" in ctx.upstream ? undefined : pinnedInputs(ctx.params);
  const ingest = pinned ?? upstreamOutput(ctx.upstream, "ingest", IngestOutput);
  const findings: Finding[] = [];
  const versions: BronzeVersions = {};
  for (const stream of layout.streams) {
    const ingested = ingest.streams[stream.name];
    const failedDrift = ingested?.drift.filter((d) => d.action === "fail") ?? [];
    for (const drift of failedDrift) {
      findings.push({
        check: `schema_drift_${stream.name}`,
        severity: "error",
        description: `the source's ${stream.name} has ${drift.kind} columns; bronze cannot take them as they are`,
        violations: drift.columns.length,
        sample: drift.columns.map((column) => ({ column, kind: drift.kind })),
      });
    }
    if (!ingested || ingested.version === null) {
      findings.push({
        check: `ingested_${stream.name}`,
        severity: "error",
        description: `${stream.name} has no bronze table: the source stream has never had rows`,
        violations: 1,
        sample: [],
      });
      continue;
    }
    versions[stream.name] = { location: ingested.location, version: ingested.version };
  }

  const { views, snapshots } = await bronzeViews(lake, layout, versions, ctx.signal);
  findings.push(...contractFindings(layout, snapshots));
  const checked = await lake.session(
    views,
    async ({ engine }) => {
      const results: Finding[] = [];
      for (const [index, check] of layout.checks.entries()) {
        results.push({
          check: check.name,
          severity: check.severity ?? "error",
          description: check.description,
          ...(await runCheck(engine, check.sql, ctx.signal)),
        });
        ctx.progress((index + 1) / Math.max(1, layout.checks.length), `check ${check.name}`);
      }
      return results;
    },
    { signal: ctx.signal },
  );
  findings.push(...checked);

  const failed = findings.filter((f) => f.violations > 0);
  for (const finding of failed) {
    ctx.emit("VALIDATION_FAILED", {
      level: finding.severity === "error" ? "error" : "warn",
      message: `${finding.check}: ${finding.violations} violation(s): ${finding.description}`,
      payload: { ...finding },
    });
  }
  const report = {
    inputs: versions,
    checks: findings.map(({ check, severity, description, violations }) => ({
      check,
      severity,
      description,
      violations,
    })),
  };
  await ctx.artifacts.put(
    "validation-report.json",
    `${JSON.stringify(report, null, 2)}\n`,
    "application/json",
  );
  const errors = failed.filter((f) => f.severity === "error");
  if (errors.length > 0) {
    throw new NonRetryableError(
      `validation failed: ${errors.map((f) => `${f.check} (${f.violations}: ${describeSample(f.sample)})`).join("; ")}`,
    );
  }
  ctx.log.info("validation passed", { checks: findings.length, warnings: failed.length });
  return {
    inputs: versions,
    checks: Object.fromEntries(
      findings.map((f) => [f.check, { severity: f.severity, violations: f.violations }]),
    ),
  };
}

async function runCheck(
  engine: SqlEngine,
  sql: string,
  signal: AbortSignal,
): Promise<{ violations: number; sample: Record<string, unknown>[] }> {
  const inner = sql.trim().replace(/;+\s*$/, "");
  const count = await engine.query<{ n: unknown }>(
    `SELECT count(*) AS n FROM (${inner}) AS violations`,
    { signal },
  );
  const violations = Number(count.rows[0]?.n ?? 0);
  if (violations === 0) return { violations, sample: [] };
  const sample = await engine.query(`SELECT * FROM (${inner}) AS violations LIMIT ${SAMPLE_ROWS}`, {
    signal,
  });
  return { violations, sample: sample.rows.map(toJsonRow) };
}

function contractFindings(
  layout: MedallionLayout,
  snapshots: Record<string, TableSnapshot>,
): Finding[] {
  const findings: Finding[] = [];
  for (const stream of layout.streams) {
    const snapshot = snapshots[stream.name];
    if (!snapshot || !stream.contract) continue;
    const types = new Map(snapshot.schema.fields.map((f) => [f.name, f.type]));
    const broken = Object.entries(stream.contract)
      .filter(([column, type]) => types.get(column) !== type)
      .map(([column, type]) => ({ column, expected: type, found: types.get(column) ?? null }));
    if (broken.length > 0) {
      findings.push({
        check: `contract_${stream.name}`,
        severity: "error",
        description: `${stream.name} breaks its schema contract (missing or retyped columns)`,
        violations: broken.length,
        sample: broken,
      });
    }
  }
  return findings;
}

function describeSample(sample: Record<string, unknown>[]): string {
  if (sample.length === 0) return "no rows";
  const shown = sample.slice(0, 5).map((row) => JSON.stringify(row));
  return `${shown.join(", ")}${sample.length > 5 ? ", …" : ""}`;
}
