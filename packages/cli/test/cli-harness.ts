import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CliIo } from "../src/index.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const BIN = join(ROOT, "packages/cli/src/bin.ts");
const TSX = join(ROOT, "node_modules/.bin/tsx");

/** A `CliIo` that records output, for running commands in process. */
export function memoryIo(env: Record<string, string | undefined> = {}, cwd = process.cwd()) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
    env,
    cwd,
    waitForStop: () => new Promise(() => undefined),
  };
  return { io, out, err };
}

/** The CLI as users run it from the repository (`pnpm controlroom …`): tsx on the source. */
export function spawnCli(args: string[], env: Record<string, string | undefined> = {}, cwd = ROOT) {
  return spawn(TSX, ["--conditions", "@controlroom/source", BIN, ...args], {
    cwd,
    env: { ...process.env, CONTROLROOM_JWT_SECRET: undefined, DATABASE_URL: undefined, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Runs the CLI to completion and returns its status and output. */
export function runCliProcess(
  args: string[],
  env: Record<string, string | undefined> = {},
  cwd?: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawnCli(args, env, cwd);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * Resolves with stdout so far once it matches `pattern`; rejects if the process exits
 * first. The default wait is long because on a loaded CI machine starting a tsx process
 * that opens PGlite has taken over 20 s.
 */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 90_000) {
  return new Promise<string>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(
      () =>
        reject(new Error(`timed out waiting for ${pattern}; stdout: ${stdout} stderr: ${stderr}`)),
      timeoutMs,
    );
    child.stdout?.on("data", (chunk) => {
      stdout += chunk;
      if (pattern.test(stdout)) {
        clearTimeout(timer);
        resolve(stdout);
      }
    });
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("exit", (status) => {
      clearTimeout(timer);
      reject(
        new Error(`exited with ${status} before ${pattern}; stdout: ${stdout} stderr: ${stderr}`),
      );
    });
  });
}
