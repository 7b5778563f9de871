import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { fileURLToPath } from "node:url";

/** This package's directory: scripts are given relative to it. */
export const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));

/** Options of {@link ChaosProcess.start}. */
export interface ChaosProcessOptions {
  /** For messages: `server`, `worker 2`. */
  name: string;
  /** A TypeScript file, relative to the package directory. */
  script: string;
  /** Added to the test's environment. */
  env: Record<string, string>;
  /** stdout and stderr are appended here. */
  logFile: string;
}

/** How a process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * One child process running a script of this package with `node --import tsx` and the
 * `@controlroom/source` condition, so workspace packages load from source with no
 * build. Not the `tsx` CLI: it runs the script in a grandchild, which a SIGKILL of the
 * CLI would leave running.
 */
export class ChaosProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<ProcessExit>;
  readonly #lineListeners = new Set<(line: string) => void>();
  #pending = "";

  private constructor(options: ChaosProcessOptions) {
    this.name = options.name;
    const log = createWriteStream(options.logFile, { flags: "a" });
    this.child = spawn(
      process.execPath,
      ["--conditions", "@controlroom/source", "--import", "tsx", options.script],
      {
        cwd: PACKAGE_DIR,
        env: { ...process.env, ...options.env, CHAOS_PARENT_IPC: "1" },
        // The IPC channel only tells the child when the test is gone (exit-with-parent.ts).
        stdio: ["ignore", "pipe", "pipe", "ipc"],
      },
    );
    log.write(`--- ${options.name} pid ${this.child.pid} started ${new Date().toISOString()}\n`);
    this.child.stdout?.on("data", (chunk: Buffer) => {
      log.write(chunk);
      this.#pending += chunk.toString("utf8");
      const lines = this.#pending.split("\n");
      this.#pending = lines.pop() ?? "";
      for (const line of lines) for (const listener of this.#lineListeners) listener(line);
    });
    this.child.stderr?.on("data", (chunk: Buffer) => log.write(chunk));
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        log.end(`--- ${options.name} pid ${this.child.pid} exited: ${signal ?? code}\n`);
        resolve({ code, signal });
      });
    });
  }

  /** Spawns the script. */
  static start(options: ChaosProcessOptions): ChaosProcess {
    return new ChaosProcess(options);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Whether the process has not exited yet. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Resolves with the first value `match` returns for a line on stdout; rejects when
   * the process exits first or `timeoutMs` passes.
   */
  waitForLine<T>(match: (line: string) => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        this.#lineListeners.delete(listener);
        clearTimeout(timer);
      };
      const listener = (line: string) => {
        const value = match(line);
        if (value === undefined) return;
        done();
        resolve(value);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name} printed no expected line within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#lineListeners.add(listener);
      void this.exited.then((exit) => {
        done();
        reject(new Error(`${this.name} exited (${exit.signal ?? exit.code}) before it was ready`));
      });
    });
  }

  /** Sends a signal; false when the process had already exited. */
  kill(signal: NodeJS.Signals): boolean {
    return this.running && this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs: number): Promise<ProcessExit> {
    if (!this.running) return this.exited;
    this.kill("SIGTERM");
    const timer = setTimeout(() => this.kill("SIGKILL"), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
