import { type Run, TERMINAL_RUN_STATUSES } from "@controlroom/contract";
import type { ControlRoomClient } from "@controlroom/sdk";
import { CONNECTION_FLAGS, CONNECTION_USAGE, connectClient } from "../api/connect-client.js";
import { explainClientError } from "../api/explain-client-error.js";
import { runIdArgument } from "../api/run-id-argument.js";
import type { CliIo } from "../cli-io.js";
import { choiceFlag } from "../flag-values.js";
import { formatElapsed } from "../format/format-elapsed.js";
import { parseFlagsAndPositionals } from "../parse-flags.js";
import { renderTextTable } from "../table/render-text-table.js";

export const RUNS_SHOW_USAGE = `Usage: controlroom runs show RUN_ID [--format table|json] [connection flags]

Prints a run: its status, spec, commit, environment and times; a table of its phases
(status, attempts, times, last error); the artifacts linked to it; its output manifest.
  --format  table: for a terminal                                default table
            json: the run as the API returns it, plus \`artifacts\`
${CONNECTION_USAGE}`;

/** An artifact linked to a run, as its ARTIFACT_REGISTERED event records it. */
interface LinkedArtifact {
  phase: string | null;
  name: string;
  sha256: string;
  size_bytes: number | null;
  media_type: string | null;
  uri: string | null;
}

/**
 * `controlroom runs show RUN_ID`: one run in full. The API has no per-run artifact
 * list, so artifacts come from the run's `ARTIFACT_REGISTERED` events, which the server
 * writes for every link.
 *
 * @example
 * ```ts
 * await runsShowCommand(["0190a3b4-…", "--format", "json"], processIo());
 * ```
 */
export async function runsShowCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlagsAndPositionals(argv, {
    format: { type: "string" },
    ...CONNECTION_FLAGS,
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(RUNS_SHOW_USAGE);
    return 0;
  }
  const runId = runIdArgument(positionals);
  const format = choiceFlag("--format", values.format, ["table", "json"], "table");
  const { client, url } = await connectClient(values, io);
  let run: Run;
  let artifacts: LinkedArtifact[];
  try {
    run = await client.runs.get(runId);
    artifacts = await linkedArtifacts(client, runId);
  } catch (error) {
    throw explainClientError(error, url, `run ${runId} not found`);
  }

  if (format === "json") {
    io.stdout(JSON.stringify({ ...run, artifacts }, null, 2));
    return 0;
  }
  const now = Date.now();
  const fields: [string, string][] = [
    ["run", run.run_id],
    [
      "status",
      run.cancel_requested && run.status === "running" ? "running (cancel requested)" : run.status,
    ],
    ["spec", run.spec_slug],
    ["git_sha", run.git_sha],
    ["environment", run.environment],
    [
      "labels",
      Object.entries(run.labels)
        .map(([key, value]) => `${key}=${value}`)
        .join(", ") || "-",
    ],
    ["created", run.created_at],
    ["started", run.started_at ?? "-"],
    ["finished", run.finished_at ?? "-"],
    ["duration", formatElapsed(run.started_at, run.finished_at, now) || "-"],
  ];
  for (const [name, value] of fields) io.stdout(`${name.padEnd(12)}${value}`);

  io.stdout("");
  io.stdout("Phases");
  const phases = run.phases.map((phase) => ({
    name: phase.name,
    kind: phase.kind,
    status: phase.status,
    attempts: `${phase.attempt}/${phase.retry.max_attempts}`,
    started: phase.started_at ?? "-",
    finished: phase.finished_at ?? "-",
    duration: formatElapsed(phase.started_at, phase.finished_at, now) || "-",
    last_error: phase.last_error?.message ?? "",
  }));
  const columns = ["name", "kind", "status", "attempts", "started", "finished", "duration"];
  if (phases.some((phase) => phase.last_error !== "")) columns.push("last_error");
  for (const line of renderTextTable(columns, phases)) io.stdout(`  ${line}`);

  io.stdout("");
  io.stdout("Artifacts");
  if (artifacts.length === 0) {
    io.stdout("  (none)");
  } else {
    // Hashes and URIs in full (a table would cut them): they are for copying.
    for (const artifact of artifacts) {
      const size = artifact.size_bytes === null ? "" : `${artifact.size_bytes} bytes`;
      const head = [artifact.phase ?? "-", artifact.name, size, artifact.media_type ?? ""];
      io.stdout(`  ${head.filter((part) => part !== "").join("  ")}`);
      io.stdout(`    sha256 ${artifact.sha256}`);
      if (artifact.uri !== null) io.stdout(`    uri    ${artifact.uri}`);
    }
  }

  io.stdout("");
  io.stdout("Output manifest");
  if (run.output_manifest === null) {
    io.stdout(
      TERMINAL_RUN_STATUSES.includes(run.status)
        ? "  (none)"
        : "  (none yet: the run has not finished)",
    );
  } else {
    for (const line of JSON.stringify(run.output_manifest, null, 2).split("\n")) {
      io.stdout(`  ${line}`);
    }
  }
  return 0;
}

async function linkedArtifacts(
  client: ControlRoomClient,
  runId: string,
): Promise<LinkedArtifact[]> {
  const artifacts: LinkedArtifact[] = [];
  for await (const event of client.events.iterate(runId, { pageSize: 1_000 })) {
    if (event.type !== "ARTIFACT_REGISTERED") continue;
    const { sha256, name, size_bytes, media_type, uri } = event.payload;
    if (typeof sha256 !== "string" || typeof name !== "string") continue;
    artifacts.push({
      phase: event.phase,
      name,
      sha256,
      size_bytes: typeof size_bytes === "number" ? size_bytes : null,
      media_type: typeof media_type === "string" ? media_type : null,
      uri: typeof uri === "string" ? uri : null,
    });
  }
  return artifacts;
}
