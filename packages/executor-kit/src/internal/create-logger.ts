import { type Logger, pino } from "pino";
import type { Redactor } from "./redactor.js";

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  level: string;
  redactor: Redactor;
  base: Record<string, unknown>;
  /** A logger to derive from instead of a new one on stderr. */
  parent?: Logger | undefined;
}

/**
 * A pino logger writing JSON lines to stderr (stdout stays free for a program's own
 * output), redacting every argument of every call: secrets can reach a log line
 * through an error message or a field, not only through the phase's own messages.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const { redactor } = options;
  if (options.parent) {
    // A child cannot take hooks; the kit's own call sites (ctx.log, worker errors)
    // redact before they log, so an injected logger is still safe.
    return options.parent.child(options.base);
  }
  return pino(
    {
      level: options.level,
      base: options.base,
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: {
        logMethod(args, method) {
          method.apply(this, redactor.redact(args) as typeof args);
        },
      },
    },
    // Synchronous writes: a worker killed right after a line must not lose it.
    pino.destination({ dest: 2, sync: true }),
  );
}
