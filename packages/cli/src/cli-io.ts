/**
 * What a command may touch of the outside world. `runCli` gets the real process by
 * default; tests pass their own to capture output and stop a server.
 */
export interface CliIo {
  /** Writes a line to standard output. */
  stdout(line: string): void;
  /** Writes a line to standard error. */
  stderr(line: string): void;
  /** True when standard output is a terminal (progress is then redrawn in place). */
  stdoutIsTTY?: boolean | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** Relative paths in flags resolve against this directory. */
  cwd: string;
  /** Resolves with the signal's name when the process is asked to stop. */
  waitForStop(): Promise<string>;
}

/**
 * The {@link CliIo} of the running process: its streams, environment and directory,
 * and SIGINT/SIGTERM as the stop request.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2), processIo());
 * ```
 */
export function processIo(): CliIo {
  return {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    stdoutIsTTY: process.stdout.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
    waitForStop: () =>
      new Promise((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          // A second Ctrl+C while shutting down means "now".
          process.once("SIGINT", () => process.exit(130));
          resolve(signal);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      }),
  };
}
