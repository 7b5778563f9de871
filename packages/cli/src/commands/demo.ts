import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { MEDALLION_PHASES } from "@controlroom/executor-kit/medallion";
import { isDemoError, runOdooDemo } from "@controlroom/odoo-medallion";
import type { CliIo } from "../cli-io.js";
import { DEFAULT_DATA_DIR } from "../defaults.js";
import { DemoProgress } from "../demo/demo-progress.js";
import { demoSummaryLines } from "../demo/demo-summary.js";
import { parseFlags } from "../parse-flags.js";
import { UsageError } from "../usage-error.js";

export const DEMO_USAGE = `Usage: controlroom demo [--rows N] [--seed S] [--mutate [--changes N]] [--data-dir DIR] [--json]
                        [--table-format delta|iceberg] [--lineage-file PATH | --lineage-url URL]

Runs the main job on embedded defaults: an Odoo database (PGlite, seeded on first use),
the control plane (PGlite), a local lake of Delta tables and DuckDB, all in this process.
One run of the odoo-finance pipeline: ingest → validate → silver → gold → publish.
  --rows N      journal items the Odoo database is seeded with           default 10000
  --seed S      the generator's seed                                     default 1
  --mutate      change the Odoo database first (payments, cancellations, new invoices);
                the run then ingests only what changed
  --changes N   business changes --mutate makes                          default 50
  --data-dir    where the databases and the lake live (the layout \`controlroom serve
                --data-dir\` reads)                                       default ${DEFAULT_DATA_DIR}
  --git-sha     the commit the run is tied to          default: git HEAD here, else fixed
  --table-format  the lake's tables: delta, or iceberg (in a SQL catalog kept in an
                  embedded PGlite database under the data directory)   default delta
  --json        print a machine-readable summary on stdout (progress goes to stderr)
  --verbose     worker logs (JSON) on stderr
  --lineage-file PATH   append the run's and each phase's OpenLineage events to PATH
                        (JSON Lines)
  --lineage-url URL     POST them to an OpenLineage endpoint instead, e.g.
                        http://localhost:5000/api/v1/lineage (Marquez)`;

/**
 * `controlroom demo`: seeds (once) and runs the Odoo finance pipeline in process,
 * showing each phase's progress, then a summary of the gold tables and the output
 * manifest hash. Exit 0 when the run succeeded, 1 when it did not.
 *
 * @example
 * ```ts
 * await demoCommand(["--rows", "5000", "--json"], processIo());
 * ```
 */
export async function demoCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, {
    rows: { type: "string", default: "10000" },
    seed: { type: "string", default: "1" },
    mutate: { type: "boolean", default: false },
    changes: { type: "string", default: "50" },
    "data-dir": { type: "string", default: DEFAULT_DATA_DIR },
    "git-sha": { type: "string" },
    "table-format": { type: "string", default: "delta" },
    json: { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
    "lineage-file": { type: "string" },
    "lineage-url": { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    io.stdout(DEMO_USAGE);
    return 0;
  }
  const rows = positiveInteger("--rows", values.rows);
  const seed = positiveInteger("--seed", values.seed);
  const changes = positiveInteger("--changes", values.changes);
  const tableFormat = values["table-format"];
  if (tableFormat !== "delta" && tableFormat !== "iceberg") {
    throw new UsageError("--table-format must be delta or iceberg");
  }
  const gitSha = values["git-sha"] ?? (await headCommit(io.cwd));
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(gitSha)) {
    throw new UsageError("--git-sha must be 40 or 64 lowercase hex characters");
  }
  const lineage = lineageTransport(values["lineage-file"], values["lineage-url"], io.cwd);
  const dataDir = resolve(io.cwd, values["data-dir"]);
  const progressOut = values.json ? io.stderr : io.stdout;
  const live = !values.json && io.stdoutIsTTY === true;
  const stop = new AbortController();
  void io.waitForStop().then(() => stop.abort(new Error("stopped")));

  progressOut(`controlroom demo: ${dataDir} (seed ${seed}, ${rows} journal items)`);
  let lastSeedReport = 0;
  const progress = new DemoProgress(MEDALLION_PHASES, progressOut, live);
  try {
    const result = await runOdooDemo({
      dataDir,
      rows,
      seed,
      mutate: values.mutate ? changes : 0,
      tableFormat,
      gitSha,
      signal: stop.signal,
      logLevel: values.verbose ? "info" : "error",
      lineage: lineage && { transport: lineage },
      onSeedProgress(loaded, total) {
        if (loaded - lastSeedReport >= total / 10 || loaded >= total) {
          lastSeedReport = loaded;
          progressOut(`  seeding Odoo: ${Math.min(loaded, total)} of ~${total} journal items`);
        }
      },
      onEvent: (event) => progress.update(event),
    });
    if (values.json) {
      const { output_manifest: _manifest, ...summary } = result;
      io.stdout(JSON.stringify(summary, null, 2));
    } else {
      for (const line of demoSummaryLines(result)) io.stdout(line);
    }
    return result.status === "succeeded" ? 0 : 1;
  } catch (error) {
    if (isDemoError(error)) throw new UsageError(error.message);
    throw error;
  }
}

/** The OpenLineage transport the flags ask for, if any. */
function lineageTransport(
  file: string | undefined,
  url: string | undefined,
  cwd: string,
): { type: "file"; path: string } | { type: "http"; url: string } | undefined {
  if (file !== undefined && url !== undefined) {
    throw new UsageError("give --lineage-file or --lineage-url, not both");
  }
  if (file !== undefined) {
    if (file === "") throw new UsageError("--lineage-file needs a path");
    return { type: "file", path: resolve(cwd, file) };
  }
  if (url === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed?.protocol !== "http:" && parsed?.protocol !== "https:") {
    throw new UsageError("--lineage-url must be an http:// or https:// URL");
  }
  return { type: "http", url };
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`${flag} must be a positive integer`);
  }
  return value;
}

/** The checked-out commit, or a fixed stand-in outside a git repository. */
async function headCommit(cwd: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)("git", ["rev-parse", "HEAD"], { cwd });
    return stdout.trim();
  } catch {
    return createHash("sha1").update("controlroom-demo").digest("hex");
  }
}
