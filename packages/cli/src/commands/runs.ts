import type { CliIo } from "../cli-io.js";
import { runSubcommand, type Subcommand, subcommandGroupUsage } from "../subcommand-group.js";
import { RUNS_LIST_USAGE, runsListCommand } from "./runs-list.js";
import { RUNS_SHOW_USAGE, runsShowCommand } from "./runs-show.js";

const RUNS_SUBCOMMANDS: Readonly<Record<string, Subcommand>> = {
  list: { run: runsListCommand, usage: RUNS_LIST_USAGE, summary: "list runs, newest first" },
  show: {
    run: runsShowCommand,
    usage: RUNS_SHOW_USAGE,
    summary: "print a run: phases, artifacts, output manifest",
  },
};

export const RUNS_USAGE = subcommandGroupUsage("runs", RUNS_SUBCOMMANDS);

/**
 * `controlroom runs list|show`: runs on a control plane, through the SDK.
 *
 * @example
 * ```ts
 * await runsCommand(["list", "--status", "failed"], processIo());
 * ```
 */
export function runsCommand(argv: string[], io: CliIo): Promise<number> {
  return runSubcommand("runs", RUNS_SUBCOMMANDS, argv, io);
}
