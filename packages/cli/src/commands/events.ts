import type { CliIo } from "../cli-io.js";
import { runSubcommand, type Subcommand, subcommandGroupUsage } from "../subcommand-group.js";
import { EVENTS_TAIL_USAGE, eventsTailCommand } from "./events-tail.js";

const EVENTS_SUBCOMMANDS: Readonly<Record<string, Subcommand>> = {
  tail: {
    run: eventsTailCommand,
    usage: EVENTS_TAIL_USAGE,
    summary: "print a run's events and follow it until it ends",
  },
};

export const EVENTS_USAGE = subcommandGroupUsage("events", EVENTS_SUBCOMMANDS);

/**
 * `controlroom events tail RUN_ID`: a run's event trail, through the SDK.
 *
 * @example
 * ```ts
 * await eventsCommand(["tail", runId, "--no-follow"], processIo());
 * ```
 */
export function eventsCommand(argv: string[], io: CliIo): Promise<number> {
  return runSubcommand("events", EVENTS_SUBCOMMANDS, argv, io);
}
