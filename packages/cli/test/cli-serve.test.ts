import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliProcess, spawnCli, waitForOutput } from "./cli-harness.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "controlroom-serve-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("controlroom serve (a real process)", { timeout: 180_000 }, () => {
  it("prints a URL and an admin token, answers, accepts `controlroom token` tokens, stops on SIGTERM", async () => {
    const dataDir = join(dir, "data");
    const child = spawnCli(["serve", "--port", "0", "--data-dir", dataDir]);
    try {
      const stdout = await waitForOutput(child, /Press Ctrl\+C/);
      const url = /export CONTROLROOM_URL=(\S+)/.exec(stdout)?.[1];
      const token = /export CONTROLROOM_TOKEN=(\S+)/.exec(stdout)?.[1];
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const authorised = await fetch(`${url}/ops/runs`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(authorised.status).toBe(200);
      const anonymous = await fetch(`${url}/ops/runs`);
      expect(anonymous.status).toBe(401);

      // `controlroom token` reads the secret serve created in the data directory.
      const minted = await runCliProcess([
        "token",
        "--tenant",
        "default",
        "--role",
        "viewer",
        "--data-dir",
        dataDir,
      ]);
      expect(minted.status).toBe(0);
      const viewer = minted.stdout.trim();
      const asViewer = await fetch(`${url}/ops/runs`, {
        headers: { authorization: `Bearer ${viewer}` },
      });
      expect(asViewer.status).toBe(200);
      const forbidden = await fetch(`${url}/ops/runs`, {
        method: "POST",
        headers: { authorization: `Bearer ${viewer}`, "content-type": "application/json" },
        body: "{}",
      });
      expect(forbidden.status).toBe(403);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    }
  });

  it("with CONTROLROOM_JWT_SECRET set, prints no token and checks tokens with that secret", async () => {
    const secret = "serve-test-secret-0123456789";
    const child = spawnCli(["serve", "--port", "0", "--data-dir", join(dir, "env")], {
      CONTROLROOM_JWT_SECRET: secret,
    });
    try {
      const stdout = await waitForOutput(child, /Press Ctrl\+C/);
      expect(stdout).not.toContain("CONTROLROOM_TOKEN");
      expect(stdout).not.toContain(secret);
      const url = /export CONTROLROOM_URL=(\S+)/.exec(stdout)?.[1];
      const minted = await runCliProcess(["token", "--tenant", "x", "--role", "admin"], {
        CONTROLROOM_JWT_SECRET: secret,
      });
      const res = await fetch(`${url}/ops/runs`, {
        headers: { authorization: `Bearer ${minted.stdout.trim()}` },
      });
      expect(res.status).toBe(200);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      child.kill("SIGINT");
      expect(await exited).toBe(0);
    }
  });

  it("bad flags exit non-zero with a message", async () => {
    const result = await runCliProcess(["serve", "--port", "nope"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--port must be a number/);
  });
});
