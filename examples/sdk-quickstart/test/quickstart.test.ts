import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type RunningControlPlane, startControlPlane } from "@controlroom/control-plane";
import { ControlRoomClient } from "@controlroom/sdk";
import { afterAll, beforeAll, expect, it } from "vitest";

const run = promisify(execFile);
const exampleDir = join(dirname(fileURLToPath(import.meta.url)), "..");
let plane: RunningControlPlane;

beforeAll(async () => {
  plane = await startControlPlane({ port: 0, jwtSecret: "quickstart-secret-0123456789abcdef" });
});
afterAll(() => plane?.close());

it("runs `pnpm start` against a real control plane and exits 0 with a succeeded run", async () => {
  const token = await plane.issueToken({ tenant_id: "quickstart", role: "admin" });
  const { stdout } = await run("pnpm", ["-s", "start"], {
    cwd: exampleDir,
    env: { ...process.env, CONTROLROOM_URL: plane.url, CONTROLROOM_TOKEN: token },
    timeout: 60_000,
  });
  expect(stdout).toMatch(/RUN_SUCCEEDED/);
  expect(stdout.match(/ARTIFACT_REGISTERED/g)).toHaveLength(2);
  // Check with the control plane itself, not only with what the script printed.
  const runId = /run ([0-9a-f-]{36}) succeeded/.exec(stdout)?.[1];
  expect(runId).toBeDefined();
  const client = new ControlRoomClient({ baseUrl: plane.url, token });
  const finished = await client.runs.get(runId!);
  expect(finished.status).toBe("succeeded");
  expect(finished.phases.map((p) => [p.name, p.status])).toEqual([
    ["extract", "succeeded"],
    ["report", "succeeded"],
  ]);
  expect(finished.output_manifest).not.toBeNull();
  const events = [];
  for await (const event of client.events.iterate(runId!)) events.push(event);
  const registered = events.filter((e) => e.type === "ARTIFACT_REGISTERED");
  expect(registered.map((e) => e.phase)).toEqual(["extract", "report"]);
});

it("exits non-zero when the server refuses it", async () => {
  const failure = await run("pnpm", ["-s", "start"], {
    cwd: exampleDir,
    env: { ...process.env, CONTROLROOM_URL: plane.url, CONTROLROOM_TOKEN: "not-a-token" },
    timeout: 60_000,
  }).catch((error: { code?: number }) => error);
  expect((failure as { code?: number }).code).not.toBe(0);
  expect((failure as { code?: number }).code).toBeDefined();
});
