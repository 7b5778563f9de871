import { readFileSync, unlinkSync, writeFileSync } from "node:fs";

/**
 * Takes an exclusive lock file holding this process id, because PGlite does not lock
 * its data directory and two instances on one directory silently lose writes. A lock
 * left by a process that no longer exists is taken over.
 *
 * @returns the function that releases the lock.
 * @throws Error when a live process (this one included) holds the lock.
 */
export function acquireLockFile(path: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: "wx" });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          unlinkSync(path);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = readHolder(path);
      if (holder !== undefined && isAlive(holder)) {
        throw new Error(
          `${path} is held by process ${holder}: another control plane uses this data directory`,
        );
      }
      try {
        unlinkSync(path);
      } catch {
        // Someone else removed the stale lock first; try to take it again.
      }
    }
  }
  throw new Error(`could not take the lock file ${path}`);
}

function readHolder(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
