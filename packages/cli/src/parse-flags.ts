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

/**
 * {@link parseFlags} for commands that also take arguments (a run id, a table URI):
 * positionals are allowed and returned in order; the caller checks how many came.
 *
 * @example
 * ```ts
 * const { values, positionals } = parseFlagsAndPositionals(argv, { limit: { type: "string" } });
 * ```
 */
export function parseFlagsAndPositionals<const O extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  options: O,
): ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>
> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
      throw new UsageError((error as Error).message);
    }
    throw error;
  }
}
