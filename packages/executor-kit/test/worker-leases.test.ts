import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { buildPhaseSpec } from "../src/definition/build-phase-spec.js";
import { defineExecutor } from "../src/definition/define-executor.js";
import { phase } from "../src/definition/phase.js";
import { isExecutorKitError } from "../src/errors/executor-kit-error.js";
import { envSecretProvider } from "../src/stores/env-secret-provider.js";
import {
  allEvents,
  createRun,
  startWorker,
  uniqueCapability,
  until,
  useTestControlPlane,
  waitForRun,
} from "./helpers/integration.js";
import { recordingClient } from "./helpers/recording-client.js";

const cp = useTestControlPlane();

describe("leases, cancellation and secrets against the embedded control plane", () => {
  it("hands a phase to a second worker when the first stops heartbeating, and rejects the first's late complete", async () => {
    const cap = uniqueCapability();
    let firstSignal: AbortSignal | undefined;
    const stuck = defineExecutor({
      id: "stuck",
      version: "1.0.0",
      capabilities: [cap],
      phases: {
        work: phase({
          requires: [cap],
          run: (ctx) => {
            firstSignal = ctx.signal;
            return new Promise(() => {});
          },
        }),
      },
    });
    const healthy = defineExecutor({
      id: "healthy",
      version: "1.0.0",
      capabilities: [cap],
      phases: {
        work: phase({ requires: [cap], run: (ctx) => ({ by: "second", attempt: ctx.attempt }) }),
      },
    });

    const first = recordingClient(cp().createClient("executor"));
    const firstWorker = startWorker(stuck, { client: first.client, leaseSeconds: 1 });
    const created = await createRun(cp().client, [
      {
        ...buildPhaseSpec(stuck, "work"),
        retry: {
          max_attempts: 3,
          initial_interval_ms: 0,
          backoff_coefficient: 1,
          max_interval_ms: 0,
        },
      },
    ]);
    await until(() => first.leases.length === 1 && firstSignal !== undefined);
    first.partition();
    const secondWorker = startWorker(healthy, { client: cp().createClient("executor") });

    const run = await waitForRun(cp().client, created.run_id);
    expect(run.status).toBe("succeeded");
    expect(run.phases[0]?.output).toEqual({ by: "second", attempt: 2 });
    await until(() => firstSignal?.aborted === true);
    expect(isExecutorKitError(firstSignal?.reason) && firstSignal.reason.code).toBe("lease_lost");

    const lease = first.leases[0]!;
    const late = cp().client.leases.complete(created.run_id, {
      lease_token: lease.lease_token,
      status: "succeeded",
      output: { by: "first" },
    });
    await expect(late).rejects.toMatchObject({ code: "lease_lost" });
    const after = await cp().client.runs.get(created.run_id);
    expect(after.status).toBe("succeeded");
    expect(after.phases[0]?.output).toEqual({ by: "second", attempt: 2 });
    const types = (await allEvents(cp().client, created.run_id)).map((e) => e.type);
    expect(types).toContain("LEASE_EXPIRED");

    expect(await secondWorker.stop()).toMatchObject({ succeeded: 1 });
    expect(await firstWorker.stop()).toMatchObject({ abandoned: 1, succeeded: 0 });
  });

  it("aborts a running phase through its signal within one heartbeat of a cancel", async () => {
    const cap = uniqueCapability();
    let started = false;
    let abortedAt: number | undefined;
    let reason: unknown;
    const executor = defineExecutor({
      id: "cancellable",
      version: "1.0.0",
      capabilities: [cap],
      phases: {
        long: phase({
          requires: [cap],
          run: (ctx) =>
            new Promise((_resolve, reject) => {
              started = true;
              ctx.signal.addEventListener("abort", () => {
                abortedAt = Date.now();
                reason = ctx.signal.reason;
                reject(ctx.signal.reason);
              });
            }),
        }),
      },
    });
    const recorded = recordingClient(cp().createClient("executor"));
    const worker = startWorker(executor, { client: recorded.client, leaseSeconds: 3 });
    const created = await createRun(cp().client, [buildPhaseSpec(executor, "long")]);
    await until(() => started);
    const cancelledAt = Date.now();
    await cp().client.runs.cancel(created.run_id, { reason: "test" });
    await until(() => abortedAt !== undefined, 15_000);

    const interval = recorded.leases[0]!.heartbeat_interval_ms;
    expect(abortedAt! - cancelledAt).toBeLessThanOrEqual(interval + 1_500);
    expect(isExecutorKitError(reason) && reason.code).toBe("cancelled");
    const run = await waitForRun(cp().client, created.run_id);
    expect(run.status).toBe("cancelled");
    expect(await worker.stop()).toMatchObject({ abandoned: 1, succeeded: 0, failed: 0 });
  });

  it("never lets a secret a phase logs reach stored events, errors, outputs or log lines", async () => {
    const cap = uniqueCapability();
    const secret = "pa55-Wörd/with:odd&chars";
    const lines: string[] = [];
    const logger = pino(
      { level: "debug" },
      new Writable({
        write(chunk, _encoding, callback) {
          lines.push(String(chunk));
          callback();
        },
      }),
    );
    const executor = defineExecutor({
      id: "secretive",
      version: "1.0.0",
      capabilities: [cap],
      phases: {
        connect: phase({
          requires: [cap],
          async run(ctx) {
            const password = await ctx.secrets.get("DB_PASSWORD");
            const dsn = `postgres://app:${password}@db/odoo`;
            ctx.log.info(`connecting with ${password}`, {
              password,
              dsn,
              encoded: encodeURIComponent(password),
            });
            ctx.log.debug("debug line", { password });
            ctx.progress(0.2, `auth ${password}`);
            if (ctx.attempt === 1) throw new Error(`authentication failed for ${dsn}`);
            return { dsn };
          },
        }),
      },
    });
    const worker = startWorker(executor, {
      client: cp().createClient("executor"),
      secrets: envSecretProvider({ env: { DB_PASSWORD: secret } }),
      logger,
      eventLevel: "debug",
    });
    const created = await createRun(cp().client, [
      {
        ...buildPhaseSpec(executor, "connect"),
        retry: {
          max_attempts: 2,
          initial_interval_ms: 0,
          backoff_coefficient: 1,
          max_interval_ms: 0,
        },
      },
    ]);
    const run = await waitForRun(cp().client, created.run_id);
    await worker.stop();

    expect(run.status).toBe("succeeded");
    const events = await allEvents(cp().client, created.run_id);
    const stored = JSON.stringify({ events, run });
    for (const form of [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) {
      expect(stored).not.toContain(form);
      expect(lines.join("")).not.toContain(form);
    }
    expect(events.filter((e) => e.type === "LOG").length).toBeGreaterThanOrEqual(4);
    expect(stored).toContain("[REDACTED]");
    expect(lines.join("")).toContain("[REDACTED]");
  });
});
