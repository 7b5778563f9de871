import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { defineExecutor } from "../src/definition/define-executor.js";
import { phase } from "../src/definition/phase.js";
import {
  createRun,
  startWorker,
  uniqueCapability,
  until,
  useTestControlPlane,
  waitForRun,
} from "./helpers/integration.js";

const cp = useTestControlPlane();

describe("a worker process receiving SIGTERM", () => {
  it("drains: finishes what it can in the grace period, releases the rest, leaves nothing claimed", async () => {
    const cap = uniqueCapability();
    const slowRetry = {
      max_attempts: 3,
      initial_interval_ms: 60_000,
      backoff_coefficient: 1,
      max_interval_ms: 60_000,
    };
    const created = await createRun(cp().client, [
      { name: "finishes", kind: "custom", requires: [cap], depends_on: [] },
      // A minute of backoff: only `retry_after_ms: 0` makes it runnable again at once.
      { name: "hangs", kind: "custom", requires: [cap], depends_on: [], retry: slowRetry },
    ]);

    const child = spawn(
      process.execPath,
      [
        "--conditions=@controlroom/source",
        "--import",
        "tsx",
        fileURLToPath(new URL("./fixtures/sigterm-worker.ts", import.meta.url)),
      ],
      {
        cwd: fileURLToPath(new URL("..", import.meta.url)),
        env: {
          ...process.env,
          CONTROLROOM_URL: cp().url,
          CONTROLROOM_TOKEN: cp().tokens.executor,
          TEST_CAPABILITY: cap,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += String(chunk);
    });
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on("exit", (code) => resolve(code)),
    );

    try {
      await until(
        () => stdout.includes("started finishes") && stdout.includes("started hangs"),
        20_000,
      );
    } catch (error) {
      child.kill("SIGKILL");
      throw new Error(`the worker never started both phases:\n${stdout}\n${stderr}`, {
        cause: error,
      });
    }
    child.kill("SIGTERM");
    const code = await Promise.race([
      exited,
      new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 20_000)),
    ]);
    if (code === "timeout") child.kill("SIGKILL");
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/summary .*"succeeded":1.*"failed":1/);

    const run = await cp().client.runs.get(created.run_id);
    for (const p of run.phases) expect(["claimed", "running"]).not.toContain(p.status);
    const byName = Object.fromEntries(run.phases.map((p) => [p.name, p]));
    expect(byName.finishes).toMatchObject({ status: "succeeded", output: { finished: true } });
    expect(byName.hangs).toMatchObject({
      attempt: 1,
      last_error: { code: "worker_shutdown", retryable: true },
    });

    // Released with retry_after_ms 0: another worker gets it now, not in a minute.
    const executor = defineExecutor({
      id: "takeover",
      version: "1.0.0",
      capabilities: [cap],
      phases: { hangs: phase({ requires: [cap], run: () => ({ taken_over: true }) }) },
    });
    const worker = startWorker(executor, { client: cp().createClient("executor") });
    const done = await waitForRun(cp().client, created.run_id, undefined, 15_000);
    await worker.stop();
    expect(done.status).toBe("succeeded");
    expect(done.phases.find((p) => p.name === "hangs")).toMatchObject({
      attempt: 2,
      output: { taken_over: true },
    });
  });
});
