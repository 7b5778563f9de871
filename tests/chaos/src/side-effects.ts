import { mkdir, open, readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { ChaosOutput } from "./chaos-executor.js";

/** One side effect of one attempt of a phase, as a chaos phase records it. */
export interface SideEffectRecord {
  run_id: string;
  phase: string;
  /** The attempt (1-based) the phase ran as: with the run and phase it names one lease. */
  attempt: number;
  executor_id: string;
  pid: number;
  recorded_at: string;
  /** Exactly what the attempt returns as its output. */
  output: ChaosOutput;
}

/**
 * Appends a record to a JSON-lines file and fsyncs it before returning, so a record
 * that the phase has returned after survives a SIGKILL of the process right after.
 */
export async function appendSideEffect(file: string, record: SideEffectRecord): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const handle = await open(file, "a");
  try {
    await handle.write(`${JSON.stringify(record)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Every record in a directory of side-effect files, and the lines a kill left torn. */
export interface SideEffectLog {
  records: SideEffectRecord[];
  /** Unparseable lines: only the last line of a file whose writer was killed mid-write. */
  tornLines: number;
  /** Torn lines that were not the last line of their file (never expected). */
  corruptLines: string[];
}

/** Reads every `*.jsonl` file under `dir`. */
export async function readSideEffects(dir: string): Promise<SideEffectLog> {
  const log: SideEffectLog = { records: [], tornLines: 0, corruptLines: [] };
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) =>
    f.endsWith(".jsonl"),
  );
  for (const file of files.sort()) {
    const lines = (await readFile(join(dir, file), "utf8")).split("\n");
    lines.forEach((line, index) => {
      if (line === "") return;
      try {
        log.records.push(JSON.parse(line) as SideEffectRecord);
      } catch {
        const isLast = lines.slice(index + 1).every((rest) => rest === "");
        if (isLast) log.tornLines++;
        else log.corruptLines.push(`${file}:${index + 1}`);
      }
    });
  }
  return log;
}
