import { readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import postgres from "postgres";

/** What the figures were measured on. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  postgres: string;
  os: string;
  /** 1-minute load average when the run started: other work on the machine skews figures. */
  loadAverage: number;
}

/** Reads the machine's CPU, memory, Node version and the Postgres server's version. */
export async function machineInfo(databaseUrl: string): Promise<MachineInfo> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  let version = "unknown";
  try {
    const [row] = await sql<{ server_version: string }[]>`show server_version`;
    version = row?.server_version ?? version;
  } finally {
    await sql.end({ timeout: 1 });
  }
  return {
    cpuModel: cpuModel(),
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    postgres: version,
    os: osName(),
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (match?.[1]) return match[1].trim();
  } catch {
    // Not Linux: os.cpus() below.
  }
  return cpus()[0]?.model ?? "unknown";
}

function osName(): string {
  try {
    const match = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(readFileSync("/etc/os-release", "utf8"));
    if (match?.[1]) return `${match[1]} (${process.platform} ${process.arch})`;
  } catch {
    // No os-release.
  }
  return `${process.platform} ${process.arch}`;
}
