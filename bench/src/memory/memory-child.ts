import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { INGESTS } from "./ingest-under-test.js";

/** What one memory measurement reports. */
export interface IngestMemoryResult {
  rows: number;
  seconds: number;
  /** Peak resident set from /proc/self/status (VmHWM), bytes. */
  vmHwmBytes: number;
  /** Peak resident set from process.resourceUsage().maxRSS, bytes. */
  maxRssBytes: number;
  /** RSS before the ingest started (runtime + loaded modules), bytes. */
  baselineRssBytes: number;
}

/**
 * Runs one registered ingest in this (fresh) process and reports its peak RSS: the
 * process's high-water mark covers everything it did, the native memory of DuckDB and
 * the drivers included, which `process.memoryUsage()` alone would miss.
 */
export async function measureIngestMemory(args: {
  ingest: string;
  databaseUrl: string;
  table: string;
  fileSize?: string | undefined;
}): Promise<IngestMemoryResult> {
  const ingest = INGESTS[args.ingest];
  if (ingest === undefined) throw new Error(`unknown ingest ${args.ingest}`);
  const lakeDir = await mkdtemp(join(tmpdir(), "controlroom-bench-lake-"));
  try {
    const baselineRssBytes = process.memoryUsage().rss;
    const started = performance.now();
    const { rows } = await ingest({
      databaseUrl: args.databaseUrl,
      table: args.table,
      lakeDir,
      fileSize: args.fileSize,
    });
    const seconds = (performance.now() - started) / 1_000;
    return {
      rows,
      seconds,
      vmHwmBytes: vmHwmBytes(),
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      baselineRssBytes,
    };
  } finally {
    await rm(lakeDir, { recursive: true, force: true });
  }
}

function vmHwmBytes(): number {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    return match?.[1] ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
