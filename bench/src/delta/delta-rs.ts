import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { DeltaTimings } from "./delta-ours.js";

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL("./delta_rs_bench.py", import.meta.url));

/** Runs delta_rs_bench.py (Python `deltalake`, i.e. delta-rs) with `args`; its timings. */
export async function runDeltaRs(python: string, args: object): Promise<DeltaTimings> {
  const { stdout } = await run(python, [SCRIPT, JSON.stringify(args)], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1] ?? "{}") as DeltaTimings;
}

/** The installed `deltalake` version, or undefined when Python or the package is missing. */
export async function deltaRsVersion(python: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(python, ["-c", "import deltalake; print(deltalake.__version__)"]);
    return stdout.trim();
  } catch {
    return undefined;
  }
}
