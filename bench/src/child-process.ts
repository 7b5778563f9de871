import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const CHILD_MAIN = fileURLToPath(new URL("./child-main.ts", import.meta.url));
const READY = "BENCH_READY ";
// Flags for every child, e.g. `--cpu-prof --cpu-prof-dir=prof` to profile the contenders
// (Node refuses --cpu-prof in NODE_OPTIONS).
const CHILD_NODE_FLAGS = (process.env.CONTROLROOM_BENCH_NODE_FLAGS ?? "")
  .split(" ")
  .filter(Boolean);
const RESULT = "BENCH_RESULT ";

/** A task running in its own Node process (see child-main.ts). */
export interface ChildTask<R> {
  pid: number;
  /** What the task passed to `ready()`; rejects when the process ends first. */
  ready: Promise<unknown>;
  /** The task's return value; rejects when it threw or the process died. */
  result: Promise<R>;
  /** SIGTERM, then the result (servers return when told to stop). */
  stop(): Promise<R>;
}

/** Options of {@link spawnTask}. */
export interface SpawnTaskOptions {
  /** Show the child's stderr as it comes (otherwise only when it fails). */
  verbose?: boolean | undefined;
  /** Extra flags for node, e.g. `--max-old-space-size`. */
  nodeFlags?: readonly string[] | undefined;
}

/**
 * Runs `task` (a name registered in child-main.ts) with JSON `args` in a fresh Node
 * process started the way this one was (tsx loader, `@controlroom/source` condition), so
 * each measurement starts with a cold heap of its own and leaves nothing behind.
 */
export function spawnTask<R>(
  task: string,
  args: unknown,
  options: SpawnTaskOptions = {},
): ChildTask<R> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...process.execArgv,
      ...CHILD_NODE_FLAGS,
      ...(options.nodeFlags ?? []),
      CHILD_MAIN,
      task,
      JSON.stringify(args),
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: process.env },
  );
  let stderr = "";
  let stdout = "";
  let readyResolve: (value: unknown) => void = () => undefined;
  let readyReject: (error: Error) => void = () => undefined;
  const ready = new Promise<unknown>((resolve, reject) => {
    readyResolve = resolve;
    readyReject = reject;
  });
  let resultValue: { ok: true; value: R } | undefined;
  child.stdout?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => {
    stdout += chunk;
    for (;;) {
      const end = stdout.indexOf("\n");
      if (end < 0) break;
      const line = stdout.slice(0, end);
      stdout = stdout.slice(end + 1);
      if (line.startsWith(READY)) readyResolve(JSON.parse(line.slice(READY.length)));
      else if (line.startsWith(RESULT)) {
        resultValue = { ok: true, value: JSON.parse(line.slice(RESULT.length)) as R };
      } else if (line.trim() !== "") process.stderr.write(`[${task}] ${line}\n`);
    }
  });
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    if (options.verbose) process.stderr.write(chunk);
    stderr = (stderr + chunk).slice(-20_000);
  });
  const result = new Promise<R>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (resultValue) {
        resolve(resultValue.value);
        return;
      }
      const error = new Error(
        `bench task ${task} exited with ${signal ?? `code ${code}`} and no result\n${stderr}`,
      );
      readyReject(error);
      reject(error);
    });
  });
  // Either may be left unawaited; their failure is reported through the other.
  ready.catch(() => undefined);
  result.catch(() => undefined);
  return {
    pid: child.pid ?? -1,
    ready,
    result,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return result;
    },
  };
}

/** Runs a task to completion in its own process and returns its result. */
export function runTask<R>(
  task: string,
  args: unknown,
  options: SpawnTaskOptions = {},
): Promise<R> {
  return spawnTask<R>(task, args, options).result;
}
