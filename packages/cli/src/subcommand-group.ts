import type { CliIo } from "./cli-io.js";
import { isUsageError, UsageError } from "./usage-error.js";

/** One subcommand of a group such as `controlroom table`. */
export interface Subcommand {
  /** Runs it with the arguments after its name; returns the exit status. */
  run(argv: string[], io: CliIo): Promise<number>;
  /** Its `--help` text. */
  usage: string;
  /** One line for the group's usage. */
  summary: string;
}

/**
 * The usage of a command made of subcommands: one line per subcommand with its summary.
 *
 * @example
 * ```ts
 * const TABLE_USAGE = subcommandGroupUsage("table", TABLE_SUBCOMMANDS);
 * ```
 */
export function subcommandGroupUsage(
  group: string,
  subcommands: Readonly<Record<string, Subcommand>>,
): string {
  const width = Math.max(...Object.keys(subcommands).map((name) => name.length)) + 2;
  return `Usage: controlroom ${group} <subcommand> [flags]

Subcommands:
${Object.entries(subcommands)
  .map(([name, subcommand]) => `  ${name.padEnd(width)}${subcommand.summary}`)
  .join("\n")}

Run \`controlroom ${group} <subcommand> --help\` for its flags.`;
}

/**
 * Runs the subcommand `argv[0]` of a group with the rest of `argv`. `--help` (or no
 * subcommand) is about the group; a usage error inside a subcommand is printed with the
 * subcommand's usage, not the group's.
 *
 * @example
 * ```ts
 * export const tableCommand = (argv: string[], io: CliIo) =>
 *   runSubcommand("table", TABLE_SUBCOMMANDS, argv, io);
 * ```
 */
export async function runSubcommand(
  group: string,
  subcommands: Readonly<Record<string, Subcommand>>,
  argv: string[],
  io: CliIo,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--help" || name === "-h" || name === "help") {
    io.stdout(subcommandGroupUsage(group, subcommands));
    return 0;
  }
  if (name === undefined) throw new UsageError("missing subcommand");
  if (!Object.hasOwn(subcommands, name)) throw new UsageError(`unknown subcommand "${name}"`);
  const subcommand = subcommands[name] as Subcommand;
  try {
    return await subcommand.run(rest, io);
  } catch (error) {
    if (isUsageError(error) && error.usage === undefined) error.usage = subcommand.usage;
    throw error;
  }
}
