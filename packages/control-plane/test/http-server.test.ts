import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CONTRACT_VERSION,
  CONTRACT_VERSION_HEADER,
  LeaseSchema,
  RunSchema,
} from "@controlroom/contract";
import { afterAll, describe, expect, it } from "vitest";
import { startControlPlane, verifyToken } from "../src/index.js";
import { claimBody, createRunBody } from "./http-harness.js";

const tempDirs: string[] = [];
afterAll(async () => {
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "controlroom-http-"));
  tempDirs.push(dir);
  return dir;
}

describe("startControlPlane", () => {
  it("serves a whole run over a real TCP socket and closes cleanly", async () => {
    const cp = await startControlPlane({ port: 0 });
    try {
      expect(cp.url).toBe(`http://127.0.0.1:${cp.port}`);
      expect(cp.port).toBeGreaterThan(0);
      const health = await fetch(`${cp.url}/healthz`);
      expect(health.status).toBe(200);
      expect(health.headers.get(CONTRACT_VERSION_HEADER)).toBe(CONTRACT_VERSION);
      expect(await health.json()).toEqual({ status: "ok", contract_version: CONTRACT_VERSION });

      const tenant = `tenant-${randomUUID()}`;
      const operator = await cp.issueToken({ tenant_id: tenant, role: "operator" });
      const executor = await cp.issueToken({ tenant_id: tenant, role: "executor", sub: "w1" });
      const post = (path: string, token: string, body: unknown) =>
        fetch(`${cp.url}${path}`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        });

      const created = await post("/ops/runs", operator, createRunBody(["only"]));
      expect(created.status).toBe(201);
      const runId = RunSchema.parse(await created.json()).run_id;
      const claimed = await post("/ops/claims", executor, claimBody({ wait_ms: 1_000 }));
      expect(claimed.status).toBe(200);
      const lease = LeaseSchema.parse(await claimed.json());
      const completed = await post(`/ops/runs/${runId}/complete`, executor, {
        lease_token: lease.lease_token,
        status: "succeeded",
        output_manifest: { only: "done" },
      });
      expect(completed.status).toBe(200);
      expect(RunSchema.parse(await completed.json()).status).toBe("succeeded");

      // Malformed JSON over the wire is still a problem document, not a 500.
      const malformed = await fetch(`${cp.url}/ops/runs`, {
        method: "POST",
        headers: { authorization: `Bearer ${operator}`, "content-type": "application/json" },
        body: "{",
      });
      expect(malformed.status).toBe(400);
      expect(malformed.headers.get("content-type")).toBe("application/problem+json");

      // So is a body over the limit, and the connection stays usable afterwards.
      const huge = await fetch(`${cp.url}/ops/runs`, {
        method: "POST",
        headers: { authorization: `Bearer ${operator}`, "content-type": "application/json" },
        body: JSON.stringify({ padding: "x".repeat(9 * 1024 * 1024) }),
      });
      expect(huge.status).toBe(413);
      expect(((await huge.json()) as { code: string }).code).toBe("payload_too_large");
      expect((await fetch(`${cp.url}/healthz`)).status).toBe(200);
    } finally {
      await cp.close();
    }
    await expect(fetch(`${cp.url}/healthz`)).rejects.toThrow();
    await cp.close(); // idempotent
  });

  it("answers a waiting long-poll when it closes instead of hanging for wait_ms", async () => {
    const cp = await startControlPlane({ port: 0 });
    const executor = await cp.issueToken({ tenant_id: "t", role: "executor" });
    const started = Date.now();
    const waiting = fetch(`${cp.url}/ops/claims`, {
      method: "POST",
      headers: { authorization: `Bearer ${executor}`, "content-type": "application/json" },
      body: JSON.stringify(claimBody({ wait_ms: 25_000 })),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await cp.close();
    expect((await waiting).status).toBe(204);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("runs the lease reaper on its interval, without any claim to trigger it", async () => {
    const cp = await startControlPlane({ port: 0, reaperIntervalMs: 100 });
    try {
      const tenant = `tenant-${randomUUID()}`;
      const operator = await cp.issueToken({ tenant_id: tenant, role: "operator" });
      const executor = await cp.issueToken({ tenant_id: tenant, role: "executor" });
      const post = (path: string, token: string, body: unknown) =>
        fetch(`${cp.url}${path}`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      const runId = RunSchema.parse(
        await (await post("/ops/runs", operator, createRunBody(["only"]))).json(),
      ).run_id;
      const lease = LeaseSchema.parse(
        await (await post("/ops/claims", executor, claimBody({ lease_seconds: 1 }))).json(),
      );
      const deadline = Date.parse(lease.expires_at) + 10_000;
      let types: string[] = [];
      while (Date.now() < deadline && !types.includes("LEASE_EXPIRED")) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const res = await fetch(`${cp.url}/ops/runs/${runId}/events`, {
          headers: { authorization: `Bearer ${operator}` },
        });
        types = ((await res.json()) as { items: { type: string }[] }).items.map((e) => e.type);
      }
      expect(types).toContain("LEASE_EXPIRED");
    } finally {
      await cp.close();
    }
  });

  it("keeps its JWT secret in <dataDir>/jwt-secret (0600) and reuses it on restart", async () => {
    const dataDir = await tempDir();
    const first = await startControlPlane({ port: 0, dataDir });
    const token = await first.issueToken({ tenant_id: "acme", role: "viewer" });
    await first.close();

    const secretFile = join(dataDir, "jwt-secret");
    expect((await stat(secretFile)).mode & 0o777).toBe(0o600);
    const secret = (await readFile(secretFile, "utf8")).trim();
    await expect(verifyToken(new TextEncoder().encode(secret), token)).resolves.toMatchObject({
      tenant_id: "acme",
      role: "viewer",
    });

    const second = await startControlPlane({ port: 0, dataDir });
    try {
      const res = await fetch(`${second.url}/ops/runs`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
    } finally {
      await second.close();
    }
  });

  it("rejects options that cannot work", async () => {
    await expect(
      startControlPlane({ dataDir: "/tmp/x", databaseUrl: "postgres://x" }),
    ).rejects.toThrow(/not both/);
    await expect(startControlPlane({ databaseUrl: "postgres://127.0.0.1:1/x" })).rejects.toThrow(
      /jwtSecret/,
    );
  });
});
