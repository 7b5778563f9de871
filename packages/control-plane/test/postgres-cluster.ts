import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Where Debian's `postgresql` package puts the Postgres 15 binaries. */
export const POSTGRES_BIN_DIR =
  process.env.CONTROLROOM_POSTGRES_BIN ?? "/usr/lib/postgresql/15/bin";

/** A throwaway Postgres cluster started for a test run. */
export interface TestCluster {
  /** Superuser URL of the `postgres` database, over TCP on 127.0.0.1. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a throwaway Postgres 15 cluster in a temp directory: trust auth, its own port,
 * its socket in the temp tree and durability switched off, because tests need speed
 * and the data is discarded. As root, initdb and the server run as user `postgres`.
 * `maxConnections` (default 200) is for callers that open more, such as the benchmarks'
 * peers at high concurrency.
 */
export async function startTestCluster(
  options: { maxConnections?: number } = {},
): Promise<TestCluster> {
  const initdb = join(POSTGRES_BIN_DIR, "initdb");
  const pgCtl = join(POSTGRES_BIN_DIR, "pg_ctl");
  if (!existsSync(initdb) || !existsSync(pgCtl)) {
    throw new Error(
      `Postgres 15 binaries not found in ${POSTGRES_BIN_DIR}. The control-plane tests need a real ` +
        "Postgres: install Debian's `postgresql` package (apt-get install postgresql), point " +
        "CONTROLROOM_TEST_DATABASE_URL at a server, or set CONTROLROOM_SKIP_POSTGRES=1 to skip " +
        "the Postgres suites explicitly.",
    );
  }
  const asRoot = userInfo().uid === 0;
  const root = mkdtempSync(join(tmpdir(), "controlroom-pg-"));
  const data = join(root, "data");
  const sockets = join(root, "sockets");
  mkdirSync(sockets);
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    const uid = Number(stdout.trim());
    chownSync(root, uid, Number(gid.trim()));
    chownSync(sockets, uid, Number(gid.trim()));
  }
  const asPostgres = (bin: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", bin, ...args]) : run(bin, args);

  const port = await freePort();
  await asPostgres(initdb, [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth=trust",
    "--no-sync",
    "--encoding=UTF8",
    "--locale=C",
  ]);
  const serverOptions = [
    `-p ${port}`,
    `-k ${sockets}`,
    "-c listen_addresses=127.0.0.1",
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
    `-c max_connections=${options.maxConnections ?? 200}`,
  ].join(" ");
  await asPostgres(pgCtl, [
    "-D",
    data,
    "-l",
    join(root, "server.log"),
    "-o",
    serverOptions,
    "-w",
    "start",
  ]);

  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      try {
        await asPostgres(pgCtl, ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === "object" && address !== null) resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}
