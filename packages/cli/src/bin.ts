#!/usr/bin/env node
import { runCli } from "./run-cli.js";

// `controlroom table read … | head` closes the pipe early: that is the reader being done,
// not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const status = await runCli(process.argv.slice(2));
process.exitCode = status;
// Exit even if a library left a handle open after a clean shutdown; the timer itself
// does not hold the process, so a process that can exit on its own does so at once.
setTimeout(() => process.exit(status), 2_000).unref();
