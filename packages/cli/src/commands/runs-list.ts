import { ENVIRONMENTS, RUN_STATUSES, type Run, SpecSlugSchema } from "@controlroom/contract";
import { CONNECTION_FLAGS, CONNECTION_USAGE, connectClient } from "../api/connect-client.js";
import { explainClientError } from "../api/explain-client-error.js";
import type { CliIo } from "../cli-io.js";
import { choiceFlag, countFlag } from "../flag-values.js";
import { formatElapsed } from "../format/format-elapsed.js";
import { parseFlags } from "../parse-flags.js";
import { renderTextTable } from "../table/render-text-table.js";
import { UsageError } from "../usage-error.js";

const MAX_LIMIT = 1_000;
// The most GET /ops/runs returns in one page.
const PAGE_SIZE = 200;

export const RUNS_LIST_USAGE = `Usage: controlroom runs list [--status S] [--spec SLUG] [--environment E]
                         [--limit 20] [--format table|json] [connection flags]

Lists runs, newest first (\`phases\`: how many of the run's phases have succeeded).
  --status       ${RUN_STATUSES.join(" | ")}
  --spec         only runs of this spec slug
  --environment  ${ENVIRONMENTS.join(" | ")}
  --limit        how many runs, 1 to ${MAX_LIMIT}                  default 20
  --format       table: aligned columns for a terminal          default table
                 json: an array of the runs as the API returns them
${CONNECTION_USAGE}`;

/**
 * `controlroom runs list`: the newest runs, filtered by status, spec and environment,
 * as a table (with each run's phase progress and duration) or as JSON.
 *
 * @example
 * ```ts
 * await runsListCommand(["--status", "failed", "--format", "json"], processIo());
 * ```
 */
export async function runsListCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, {
    status: { type: "string" },
    spec: { type: "string" },
    environment: { type: "string" },
    limit: { type: "string" },
    format: { type: "string" },
    ...CONNECTION_FLAGS,
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(RUNS_LIST_USAGE);
    return 0;
  }
  const status = choiceFlag("--status", values.status, RUN_STATUSES);
  const environment = choiceFlag("--environment", values.environment, ENVIRONMENTS);
  if (values.spec !== undefined && !SpecSlugSchema.safeParse(values.spec).success) {
    throw new UsageError(`--spec is not a spec slug: "${values.spec}"`);
  }
  const limit = countFlag("--limit", values.limit, MAX_LIMIT, 20);
  const format = choiceFlag("--format", values.format, ["table", "json"], "table");
  const { client, url } = await connectClient(values, io);

  const runs: Run[] = [];
  let cursor: string | undefined;
  let more = false;
  try {
    do {
      const page = await client.runs.list({
        ...(status === undefined ? {} : { status }),
        ...(values.spec === undefined ? {} : { spec_slug: values.spec }),
        ...(environment === undefined ? {} : { environment }),
        limit: Math.min(PAGE_SIZE, limit - runs.length),
        ...(cursor === undefined ? {} : { cursor }),
      });
      runs.push(...page.items);
      cursor = page.next_cursor ?? undefined;
      more = cursor !== undefined;
    } while (cursor !== undefined && runs.length < limit);
  } catch (error) {
    throw explainClientError(error, url);
  }

  if (format === "json") {
    io.stdout(JSON.stringify(runs, null, 2));
    return 0;
  }
  const now = Date.now();
  const rows = runs.map((run) => ({
    run_id: run.run_id,
    status: run.status,
    spec: run.spec_slug,
    env: run.environment,
    git_sha: run.git_sha.slice(0, 12),
    phases: `${run.phases.filter((phase) => phase.status === "succeeded").length}/${run.phases.length}`,
    created: run.created_at,
    duration: formatElapsed(run.started_at, run.finished_at, now),
  }));
  const columns = ["run_id", "status", "spec", "env", "git_sha", "phases", "created", "duration"];
  for (const line of renderTextTable(columns, rows)) io.stdout(line);
  const count = `${runs.length} run${runs.length === 1 ? "" : "s"}`;
  io.stderr(`(${count}${more ? "; more with a higher --limit" : ""})`);
  return 0;
}
