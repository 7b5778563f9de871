import { randomUUID } from "node:crypto";
import { LeaseSchema, RunSchema } from "@controlroom/contract";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RunningControlPlane, startControlPlane } from "../src/index.js";
import { claimBody, createRunBody } from "./http-harness.js";

const serverUrl = inject("controlroomPostgresUrl");

// Two servers on one Postgres database, as behind a load balancer.
describe.skipIf(serverUrl === null)("two servers on real Postgres", () => {
  const database = `cr_http_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const jwtSecret = `pg-${randomUUID()}`;
  let admin: postgres.Sql;
  let a: RunningControlPlane;
  let b: RunningControlPlane;

  beforeAll(async () => {
    admin = postgres(serverUrl!, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create database ${database}`);
    const url = new URL(serverUrl!);
    url.pathname = `/${database}`;
    // One after the other: the first applies the migrations.
    a = await startControlPlane({ port: 0, databaseUrl: url.toString(), jwtSecret });
    // b re-checks only every 10 s, so a quick answer from it can only come from NOTIFY.
    b = await startControlPlane({
      port: 0,
      databaseUrl: url.toString(),
      jwtSecret,
      longPollIntervalMs: 10_000,
    });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await admin?.unsafe(`drop database if exists ${database} with (force)`);
    await admin?.end();
  });

  const post = (cp: RunningControlPlane, path: string, token: string, body: unknown) =>
    fetch(`${cp.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("a long-poll on one server is woken by a run created on the other", async () => {
    const tenant = `tenant-${randomUUID()}`;
    const operator = await a.issueToken({ tenant_id: tenant, role: "operator" });
    const executor = await a.issueToken({ tenant_id: tenant, role: "executor" });
    const started = Date.now();
    const waiting = post(b, "/ops/claims", executor, claimBody({ wait_ms: 20_000 }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const created = await post(a, "/ops/runs", operator, createRunBody(["only"]));
    const runId = RunSchema.parse(await created.json()).run_id;
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(LeaseSchema.parse(await res.json()).run_id).toBe(runId);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it("concurrent claims across both servers for one runnable phase give one lease", async () => {
    const tenant = `tenant-${randomUUID()}`;
    const operator = await a.issueToken({ tenant_id: tenant, role: "operator" });
    const executor = await a.issueToken({ tenant_id: tenant, role: "executor" });
    await post(a, "/ops/runs", operator, createRunBody(["only"]));
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        post(i % 2 === 0 ? a : b, "/ops/claims", executor, claimBody({ executor_id: `w${i}` })),
      ),
    );
    const statuses = answers.map((res) => res.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(204)]);
  });
});
