import type { CliIo } from "../cli-io.js";
import { runSubcommand, type Subcommand, subcommandGroupUsage } from "../subcommand-group.js";
import { TABLE_HISTORY_USAGE, tableHistoryCommand } from "./table-history.js";
import { TABLE_READ_USAGE, tableReadCommand } from "./table-read.js";

const TABLE_SUBCOMMANDS: Readonly<Record<string, Subcommand>> = {
  read: { run: tableReadCommand, usage: TABLE_READ_USAGE, summary: "print a table's rows" },
  history: {
    run: tableHistoryCommand,
    usage: TABLE_HISTORY_USAGE,
    summary: "list a table's versions with the run, phase and commit that wrote each",
  },
};

export const TABLE_USAGE = subcommandGroupUsage("table", TABLE_SUBCOMMANDS);

/**
 * `controlroom table read|history URI`: Delta tables in a directory or S3.
 *
 * @example
 * ```ts
 * await tableCommand(["history", "./lake/silver/orders"], processIo());
 * ```
 */
export function tableCommand(argv: string[], io: CliIo): Promise<number> {
  return runSubcommand("table", TABLE_SUBCOMMANDS, argv, io);
}
