import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startTestControlPlane, type TestControlPlane } from "@controlroom/executor-kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let cp: TestControlPlane;
beforeAll(async () => {
  cp = await startTestControlPlane();
});
afterAll(async () => {
  await cp?.close();
});

describe("examples/minimal-executor", () => {
  it("creates a run, works it to completion with its worker and exits 0", async () => {
    const child = spawn("pnpm", ["run", "--silent", "start"], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      env: { ...process.env, CONTROLROOM_URL: cp.url, CONTROLROOM_TOKEN: cp.tokens.admin },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += String(chunk);
    });
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk);
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stdout).toMatch(/run .* succeeded: \{"message":"2 words"\}/);

    const { items } = await cp.client.runs.list({ spec_slug: "minimal-example" });
    expect(items).toHaveLength(1);
    expect(items[0]?.status).toBe("succeeded");
  }, 60_000);
});
