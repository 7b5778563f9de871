import { randomBytes } from "node:crypto";
import type { CreateRunRequest } from "@controlroom/contract";
import { signToken } from "@controlroom/control-plane";
import { defineExecutor, phase } from "@controlroom/executor-kit";
import { ControlRoomClient } from "@controlroom/sdk";
import postgres from "postgres";
import { spawnTask } from "../child-process.js";

/** A control plane on Postgres in a child process, with clients for it. */
export interface ControlRoomHarness {
  url: string;
  /** The server process's id (for its CPU time). */
  serverPid: number;
  /** An operator's client: creates runs. */
  operator: ControlRoomClient;
  /** A new executor client (one per worker, as separate worker processes would have). */
  executorClient(): Promise<ControlRoomClient>;
  /** Stops the server process. */
  stop(): Promise<void>;
}

const TENANT = "bench";

/**
 * Starts `controlroom serve --database-url` equivalent (startControlPlane on the Postgres
 * store) in its own process, as production runs it: workers and the server never share
 * an event loop.
 */
export async function startControlRoomHarness(databaseUrl: string): Promise<ControlRoomHarness> {
  const jwtSecret = randomBytes(32).toString("base64url");
  const server = spawnTask<unknown>("serve-control-plane", { databaseUrl, jwtSecret });
  const { url } = (await server.ready) as { url: string };
  const client = async (role: "operator" | "executor") =>
    new ControlRoomClient({
      baseUrl: url,
      token: await signToken({ secret: jwtSecret, tenant_id: TENANT, role, expiresIn: "1d" }),
    });
  return {
    url,
    serverPid: server.pid,
    operator: await client("operator"),
    executorClient: () => client("executor"),
    stop: async () => {
      await server.stop();
    },
  };
}

/** Names `p0 … p{n-1}`: the phases of one benchmark run. */
export function phaseNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `p${i}`);
}

/**
 * A run of independent no-op phases (`depends_on: []`), so every phase is runnable at
 * once, like a queue's jobs.
 */
export function noopRun(names: readonly string[], label: string): CreateRunRequest {
  return {
    spec_slug: "bench-noop",
    git_sha: "0".repeat(40),
    environment: "dev",
    phases: names.map((name) => ({
      name,
      kind: "custom" as const,
      depends_on: [],
      retry: { max_attempts: 1 },
    })),
    input_manifest: {},
    labels: { bench: label },
  };
}

/**
 * An executor whose phases do nothing but, when `eventsPerPhase` > 0, log that many
 * lines with `ctx.log.info` (each a `LOG` event sent to the run). `onStart` sees the
 * moment each phase function begins.
 */
export function noopExecutor(
  names: readonly string[],
  eventsPerPhase: number,
  onStart?: (runId: string) => void,
) {
  const noop = phase({
    run(ctx) {
      onStart?.(ctx.run_id);
      for (let i = 0; i < eventsPerPhase; i++) ctx.log.info("bench event", { i });
      return undefined;
    },
  });
  return defineExecutor({
    id: "bench",
    version: "1.0.0",
    phases: Object.fromEntries(names.map((name) => [name, noop])),
  });
}

/**
 * Creates `count` copies of a run with `ops.create_run`, the SQL function behind
 * `POST /ops/runs`, as an operator of the bench tenant (RLS applies), 500 per statement:
 * the peers' jobs are added in bulk too, and enqueueing is not what is timed.
 */
export async function createRunsInSql(
  databaseUrl: string,
  run: CreateRunRequest,
  count: number,
): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    for (let done = 0; done < count; done += 500) {
      await sql.begin(async (tx) => {
        await tx.unsafe(
          "select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)",
          [JSON.stringify({ sub: "bench", tenant_id: TENANT, role: "operator" })],
        );
        await tx.unsafe(
          "select count(ops.create_run($1::text::jsonb, null)) from generate_series(1, $2::int)",
          [JSON.stringify(run), Math.min(500, count - done)],
        );
      });
    }
  } finally {
    await sql.end({ timeout: 1 });
  }
}
