// The Delta conformance catalogue, shared by test/delta-conformance.test.ts and
// scripts/delta-conformance.ts: every fixture table under <repo>/../shared/fixtures/delta,
// what it must read as (expected Parquet rows per version) or why it must be refused.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  DeltaProtocolError,
  type DeltaSnapshot,
  DeltaTableNotFoundError,
  DeltaUnsupportedFeatureError,
  type DuckDbSession,
  openDeltaTable,
} from "../src/delta/index.js";
import { quoteLiteral } from "../src/internal/sql-quote.js";
import { createLocalObjectStore } from "../src/local/index.js";

/** The fixtures root; tests may read it, the product never does. */
export const FIXTURES = resolve(
  fileURLToPath(new URL("../../../../shared/fixtures/delta", import.meta.url)),
);

/** What a refused table must throw. */
export interface Refusal {
  error:
    | typeof DeltaUnsupportedFeatureError
    | typeof DeltaProtocolError
    | typeof DeltaTableNotFoundError;
  /** The error's `code`. */
  code: string;
  /** Must match the message (or, for unsupported features, `feature`). */
  reason: RegExp;
  /** Read this version's rows (default: the latest) to trigger the refusal. */
  version?: number;
}

/** One thing to check on one fixture table. */
export interface ConformanceCheck {
  suite: string;
  name: string;
  /** The table directory (holds `_delta_log/`). */
  table: string;
  /** `undefined` = latest. */
  version: number | undefined;
  /** The version `latest` must resolve to, when the fixture says. */
  expectedVersion?: number | undefined;
  /** Expected rows as Parquet files, or a refusal. */
  expected: { parquet: string[] } | { refused: Refusal } | { files: number };
}

const unsupported = (feature: RegExp): Refusal => ({
  error: DeltaUnsupportedFeatureError,
  code: "DELTA_UNSUPPORTED_FEATURE",
  reason: feature,
});
const protocolError = (reason: RegExp, code = "DELTA_PROTOCOL_ERROR"): Refusal => ({
  error: DeltaProtocolError,
  code,
  reason,
});
const missingData = (version?: number): Refusal => ({
  ...protocolError(/data file missing/, "DELTA_DATA_FILE_MISSING"),
  ...(version === undefined ? {} : { version }),
});

// Negative and log-only cases (MANIFEST.md "reference replay" ERROR lines).
const REFUSALS: Record<string, Refusal[]> = {
  "data-reader-timestamp_ntz-id-mode": [unsupported(/columnMapping/)],
  "data-reader-timestamp_ntz-name-mode": [unsupported(/columnMapping/)],
  "data-skipping-basic-stats-all-types-columnmapping-id": [unsupported(/columnMapping/)],
  "data-skipping-basic-stats-all-types-columnmapping-name": [unsupported(/columnMapping/)],
  "table-with-columnmapping-mode-id": [unsupported(/columnMapping/)],
  "table-with-columnmapping-mode-name": [unsupported(/columnMapping/)],
  "dv-partitioned-with-checkpoint": [unsupported(/deletionVectors/)],
  "dv-with-columnmapping": [unsupported(/deletionVectors|columnMapping/)],
  "log-replay-dv-key-cases": [unsupported(/deletionVectors/)],
  "deltalog-invalid-protocol-version": [unsupported(/readerVersion 99/)],
  "v2-checkpoint-json": [unsupported(/v2Checkpoint/)],
  "v2-checkpoint-parquet": [unsupported(/v2Checkpoint/)],
  "deltalog-state-reconstruction-from-checkpoint-missing-metadata": [protocolError(/no metaData/)],
  "deltalog-state-reconstruction-from-checkpoint-missing-protocol": [protocolError(/no protocol/)],
  "deltalog-state-reconstruction-without-metadata": [protocolError(/no metaData/)],
  "deltalog-state-reconstruction-without-protocol": [protocolError(/no protocol/)],
  "data-reader-absolute-paths-escaped-chars": [protocolError(/no metaData/)],
  "deltalog-commit-info": [protocolError(/schemaString/)],
  "no-delta-log-folder": [
    { error: DeltaTableNotFoundError, code: "DELTA_TABLE_NOT_FOUND", reason: /no Delta table/ },
  ],
  "versions-not-contiguous": [
    protocolError(/commit 1 is missing/, "DELTA_VERSIONS_NOT_CONTIGUOUS"),
  ],
  // Log-only fixtures: the data files were never vendored.
  checkpoint: [missingData()],
  "delete-re-add-same-file-different-transactions": [missingData()],
  "log-replay-special-characters-b": [missingData()],
  // Its metaData has no schemaString at all, which refuses it before any data is read.
  "update-deleted-directory": [protocolError(/schemaString/)],
  "canonicalized-paths-normal-a": [missingData(0)],
  "canonicalized-paths-normal-b": [missingData(0)],
  "canonicalized-paths-special-a": [missingData(0)],
  "canonicalized-paths-special-b": [missingData(0)],
};

// Log-only cases whose latest version must list this many files: `remove`s spelled
// differently from their `add` (`file:/x` vs `/x`, `%20` vs space) still reconcile.
const FILE_COUNTS: Record<string, number> = {
  "canonicalized-paths-normal-a": 0,
  "canonicalized-paths-normal-b": 0,
  "canonicalized-paths-special-a": 0,
  "canonicalized-paths-special-b": 0,
};

// Expected values we deliberately differ from. data-reader-partition-values stores the
// timestamp partition "2021-09-08 11:11:11" without a zone; the protocol (and
// delta-kernel-rs, which skips this column) reads it as UTC, while the expected Parquet
// reflects the writer's session zone (PST). Compare against the UTC reading instead.
const EXPECTED_OVERRIDES: Record<string, Record<string, string>> = {
  "data-reader-partition-values": {
    as_timestamp: String(Date.UTC(2021, 8, 8, 11, 11, 11) * 1000),
  },
};

function parquetFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".parquet"))
    .sort()
    .map((name) => join(dir, name));
}

/** Every check of every fixture case, in a stable order. */
export function conformanceChecks(): ConformanceCheck[] {
  const checks: ConformanceCheck[] = [];
  for (const suite of readdirSync(FIXTURES).sort()) {
    const suiteDir = join(FIXTURES, suite);
    if (!existsSync(suiteDir) || suite.endsWith(".md")) continue;
    for (const name of readdirSync(suiteDir).sort()) {
      const caseDir = join(suiteDir, name);
      const table = join(caseDir, "delta");
      const refusals = REFUSALS[name];
      if (refusals !== undefined) {
        for (const refused of refusals) {
          checks.push({ suite, name, table, version: refused.version, expected: { refused } });
        }
        const files = FILE_COUNTS[name];
        if (files !== undefined)
          checks.push({ suite, name, table, version: undefined, expected: { files } });
        continue;
      }
      const expectedDir = join(caseDir, "expected");
      if (!existsSync(expectedDir))
        throw new Error(`${suite}/${name}: no expected rows and no refusal listed`);
      const entries = readdirSync(expectedDir);
      if (entries.some((e) => e.endsWith(".parquet"))) {
        checks.push({
          suite,
          name,
          table,
          version: undefined,
          expected: { parquet: parquetFiles(expectedDir) },
        });
        continue;
      }
      // DAT layout: expected/<latest|vN>/table_content/*.parquet + table_version_metadata.json
      for (const entry of entries.sort()) {
        const dir = join(expectedDir, entry);
        const meta = JSON.parse(readFileSync(join(dir, "table_version_metadata.json"), "utf8")) as {
          version: number;
        };
        const version = entry === "latest" ? undefined : Number(entry.slice(1));
        checks.push({
          suite,
          name,
          table,
          version,
          expectedVersion: meta.version,
          expected: { parquet: parquetFiles(join(dir, "table_content")) },
        });
      }
    }
  }
  return checks;
}

/** The outcome of one check, for the report table. */
export interface CheckOutcome {
  result: "pass" | "refused" | "fail";
  expectedRows?: number | undefined;
  gotRows?: number | undefined;
  detail: string;
}

/**
 * Canonical text of every row of a query, for multiset comparison: timestamps of any
 * precision and zone as epoch microseconds, decimals without trailing zeros, binary as
 * hex, nested values as JSON; columns keyed by lower-cased name.
 */
export async function canonicalRows(
  session: DuckDbSession,
  sql: string,
  overrides: Record<string, string> = {},
): Promise<string[]> {
  const columns = await session.describe(`SELECT * FROM (${sql}) LIMIT 0`);
  const select = columns.map(({ name, type }, i) => {
    const c = `"${name.replaceAll('"', '""')}"`;
    let expr: string;
    if (/^TIMESTAMP/.test(type)) expr = `CAST(epoch_us(${c}) AS VARCHAR)`;
    else if (type === "BLOB") expr = `hex(${c})`;
    else if (/STRUCT|MAP|\[\]/.test(type)) expr = `CAST(to_json(${c}) AS VARCHAR)`;
    else expr = `CAST(${c} AS VARCHAR)`;
    return `${expr} AS c${i}`;
  });
  const rows = await session.json(`SELECT ${select.join(", ")} FROM (${sql})`);
  return rows
    .map((row) => {
      const entries = columns.map(({ name }, i) => {
        const value = row[`c${i}`];
        const text =
          typeof value === "string" && /^-?\d+\.\d+$/.test(value)
            ? value.replace(/0+$/, "").replace(/\.$/, "")
            : value;
        const override = overrides[name.toLowerCase()];
        return [name.toLowerCase(), text == null ? null : (override ?? text)] as const;
      });
      entries.sort((a, b) => (a[0] < b[0] ? -1 : 1));
      return JSON.stringify(entries);
    })
    .sort();
}

/** Runs one check against the real reader. */
export async function runCheck(
  check: ConformanceCheck,
  session: DuckDbSession,
): Promise<CheckOutcome> {
  const table = openDeltaTable({
    store: createLocalObjectStore({ root: check.table }),
    location: "",
  });
  const readOptions = check.version === undefined ? {} : { version: check.version };
  if ("refused" in check.expected) {
    const { refused } = check.expected;
    try {
      const snapshot = await table.snapshot(readOptions);
      const rows = await table.readRows({ snapshot });
      return { result: "fail", detail: `read ${rows.rows.length} rows instead of refusing` };
    } catch (error) {
      const ok =
        error instanceof refused.error &&
        error.code === refused.code &&
        (refused.reason.test(error.message) ||
          (error instanceof DeltaUnsupportedFeatureError && refused.reason.test(error.feature)));
      const message =
        error instanceof Error
          ? `${error.name} ${(error as { code?: string }).code}: ${error.message}`
          : String(error);
      return { result: ok ? "refused" : "fail", detail: message };
    } finally {
      await table.close();
    }
  }
  try {
    const snapshot: DeltaSnapshot = await table.snapshot(readOptions);
    if ("files" in check.expected) {
      const ok = snapshot.files.length === check.expected.files;
      return {
        result: ok ? "pass" : "fail",
        detail: `${snapshot.files.length} live files at v${snapshot.version}`,
      };
    }
    if (check.expectedVersion !== undefined && snapshot.version !== check.expectedVersion) {
      return {
        result: "fail",
        detail: `resolved version ${snapshot.version}, expected ${check.expectedVersion}`,
      };
    }
    const scan = await table.scan({ snapshot });
    let got: string[];
    try {
      got = await canonicalRows(session, scan.sql);
    } finally {
      await scan.dispose();
    }
    const files = check.expected.parquet.map(quoteLiteral).join(", ");
    const expected = await canonicalRows(
      session,
      `SELECT * FROM read_parquet([${files}], union_by_name = true, hive_partitioning = false)`,
      EXPECTED_OVERRIDES[check.name],
    );
    const same = got.length === expected.length && got.every((row, i) => row === expected[i]);
    let detail = `v${snapshot.version}`;
    if (!same) {
      const missing = expected.filter((row) => !got.includes(row)).slice(0, 2);
      const extra = got.filter((row) => !expected.includes(row)).slice(0, 2);
      detail += ` missing ${JSON.stringify(missing)} extra ${JSON.stringify(extra)}`;
    }
    return {
      result: same ? "pass" : "fail",
      expectedRows: expected.length,
      gotRows: got.length,
      detail,
    };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { result: "fail", detail: message };
  } finally {
    await table.close();
  }
}
