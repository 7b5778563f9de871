import { readdirSync, readFileSync } from "node:fs";
import postgres from "postgres";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** User + system CPU milliseconds of a process from /proc (0 when it is gone). */
export function processCpuMsOf(pid: number): number {
  const fields = statFields(pid);
  if (fields === undefined) return 0;
  return ((Number(fields[11]) + Number(fields[12])) * 1_000) / TICKS_PER_SECOND;
}

/**
 * Tracks the CPU time of a local Postgres server: the postmaster and every process it
 * forked that is alive at a reading (backends of pools live through a measurement).
 * Undefined when the server is not on this machine.
 */
export async function postgresCpuMeter(
  databaseUrl: string,
): Promise<{ read(): number } | undefined> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    const [row] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
    const backend = row?.pid;
    const postmaster = backend === undefined ? undefined : Number(statFields(backend)?.[1]);
    if (postmaster === undefined || !Number.isFinite(postmaster) || postmaster <= 1) {
      return undefined;
    }
    return {
      read() {
        let total = processCpuMsOf(postmaster);
        for (const entry of readdirSync("/proc")) {
          if (!/^\d+$/.test(entry)) continue;
          const fields = statFields(Number(entry));
          if (fields !== undefined && Number(fields[1]) === postmaster) {
            total += ((Number(fields[11]) + Number(fields[12])) * 1_000) / TICKS_PER_SECOND;
          }
        }
        return total;
      },
    };
  } catch {
    return undefined;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Fields of /proc/<pid>/stat after the command name: [0] state, [1] ppid, … [11] utime, [12] stime. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat
      .slice(stat.lastIndexOf(")") + 2)
      .trim()
      .split(" ");
  } catch {
    return undefined;
  }
}
