import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "./usage-error.js";

/**
 * `node:util` `parseArgs` in strict mode with no positionals, whose complaints
 * (unknown flag, missing value, stray argument) become {@link UsageError}s with Node's
 * message.
 *
 * @example
 * ```ts
 * const { values } = parseFlags(argv, { port: { type: "string" } });
 * ```
 */
export function parseFlags<const O extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  options: O,
): ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>
> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
      throw new UsageError((error as Error).message);
    }
    throw error;
  }
}
