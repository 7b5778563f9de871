import { EVENT_LEVELS, type Event } from "@controlroom/contract";
import { CONNECTION_FLAGS, CONNECTION_USAGE, connectClient } from "../api/connect-client.js";
import { explainClientError } from "../api/explain-client-error.js";
import { runIdArgument } from "../api/run-id-argument.js";
import type { CliIo } from "../cli-io.js";
import { choiceFlag } from "../flag-values.js";
import { parseFlagsAndPositionals } from "../parse-flags.js";
import { UsageError } from "../usage-error.js";

export const EVENTS_TAIL_USAGE = `Usage: controlroom events tail RUN_ID [--no-follow] [--phase P] [--level L]
                         [--format text|jsonl] [connection flags]

Prints a run's events in order, then follows it: new events are printed as they come
(long-poll) until the run has ended and every event is out, then it exits 0. Ctrl+C
stops it (also exit 0).
  --follow, -f  keep following until the run ends                 the default
  --no-follow   print the events there are now and exit
  --phase       only this phase's events (run-level events have none)
  --level       only events at this level or above: ${EVENT_LEVELS.join(" < ")}
  --format      text (default): a line per event: time, seq, level, phase, type,
                message; jsonl: a JSON object per event, as the API returns it
${CONNECTION_USAGE}`;

/**
 * `controlroom events tail RUN_ID`: the run's trail in `seq` order, paged with
 * `after_seq`, following it by long-poll (`wait_ms`) until the run is terminal unless
 * `--no-follow` is given. A stop request (SIGINT) ends it cleanly with status 0.
 *
 * @example
 * ```ts
 * await eventsTailCommand([runId, "--level", "warn"], processIo());
 * ```
 */
export async function eventsTailCommand(argv: string[], io: CliIo): Promise<number> {
  // `--no-follow` is an option of its own: parseArgs' allowNegative needs Node 20.16.
  const { values, positionals } = parseFlagsAndPositionals(argv, {
    follow: { type: "boolean", short: "f" },
    "no-follow": { type: "boolean" },
    phase: { type: "string" },
    level: { type: "string" },
    format: { type: "string" },
    ...CONNECTION_FLAGS,
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(EVENTS_TAIL_USAGE);
    return 0;
  }
  const runId = runIdArgument(positionals);
  if (values.follow && values["no-follow"]) {
    throw new UsageError("give --follow or --no-follow, not both");
  }
  const follow = values["no-follow"] !== true;
  if (values.phase !== undefined && values.phase.trim() === "") {
    throw new UsageError("--phase must not be empty");
  }
  const level = choiceFlag("--level", values.level, EVENT_LEVELS);
  const minLevel = level === undefined ? 0 : EVENT_LEVELS.indexOf(level);
  const format = choiceFlag("--format", values.format, ["text", "jsonl"], "text");
  const { client, url } = await connectClient(values, io);

  const stop = new AbortController();
  if (follow) void io.waitForStop().then(() => stop.abort());
  try {
    const events = client.events.iterate(runId, { follow, pageSize: 1_000, signal: stop.signal });
    for await (const event of events) {
      if (values.phase !== undefined && event.phase !== values.phase) continue;
      if (EVENT_LEVELS.indexOf(event.level) < minLevel) continue;
      io.stdout(format === "jsonl" ? JSON.stringify(event) : eventLine(event));
    }
  } catch (error) {
    if (stop.signal.aborted) return 0;
    throw explainClientError(error, url, `run ${runId} not found`);
  }
  return 0;
}

// Padded so that consecutive lines mostly line up; a long phase or type just pushes on.
function eventLine(event: Event): string {
  const message = event.message.replaceAll("\r", "").replaceAll("\n", "\\n");
  return [
    event.ts,
    String(event.seq).padStart(4),
    event.level.padEnd(5),
    (event.phase ?? "-").padEnd(12),
    event.type.padEnd(21),
    message,
  ]
    .join(" ")
    .trimEnd();
}
