import { randomUUID } from "node:crypto";
import type { Run } from "@controlroom/contract";
import { type RunningControlPlane, startControlPlane } from "@controlroom/control-plane";
import { ControlRoomClient } from "@controlroom/sdk";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMcpServer } from "../src/mcp/create-mcp-server.js";

// request_rollback and request_rebuild over MCP: they read the target run and create
// the rollback / rebuild run from its record (a worker with the lake does the work).
const GIT_SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
let cp: RunningControlPlane;
let admin: ControlRoomClient;
let mcp: Client;

beforeAll(async () => {
  cp = await startControlPlane({ port: 0 });
  admin = new ControlRoomClient({
    baseUrl: cp.url,
    token: await cp.issueToken({ tenant_id: "acme", role: "admin" }),
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createMcpServer({ client: admin }).connect(serverSide);
  mcp = new Client({ name: "test", version: "1.0.0" });
  await mcp.connect(clientSide);
}, 120_000);
afterAll(async () => {
  await mcp?.close();
  await cp?.close();
});

const bronze = { location: "bronze/shop/orders", version: 2 };

/** A succeeded two-phase run whose manifests record a bronze input and a silver table. */
async function publishedRun(): Promise<Run> {
  const run = await admin.runs.create({
    spec_slug: "shop",
    git_sha: GIT_SHA,
    environment: "dev",
    phases: [
      { name: "ingest", kind: "ingest", requires: ["shop"] },
      { name: "silver", kind: "transform", requires: ["shop"] },
    ],
    input_manifest: {},
  });
  const manifests = {
    ingest: { "bronze.orders": { kind: "table", sha256: "b".repeat(64), ...bronze } },
    silver: {
      "silver.orders": {
        kind: "table",
        sha256: "e".repeat(64),
        location: "silver/shop/orders",
        version: 7,
        rows: 3,
        inputs: { orders: bronze },
      },
    },
  };
  for (const phase of ["ingest", "silver"] as const) {
    const lease = await admin.claims.claimRun(run.run_id, {
      executor_id: "test",
      capabilities: ["shop"],
    });
    expect(lease?.phase).toBe(phase);
    await admin.leases.complete(run.run_id, {
      lease_token: lease?.lease_token as string,
      status: "succeeded",
      output: {},
      output_manifest: manifests[phase],
    });
  }
  return admin.runs.get(run.run_id);
}

async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await mcp.callTool({ name, arguments: args })) as CallToolResult;
}

describe("the audit tools over MCP", () => {
  it("lists request_rollback and request_rebuild", async () => {
    const { tools } = await mcp.listTools();
    const names = tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(["request_rollback", "request_rebuild"]));
    const rollback = tools.find((tool) => tool.name === "request_rollback");
    expect(rollback?.annotations?.destructiveHint).toBe(true);
    expect(Object.keys(rollback?.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(["to_run_id", "tables", "dry_run"]),
    );
  });

  it("creates a rollback run of the target's tables", async () => {
    const target = await publishedRun();
    expect(target.status).toBe("succeeded");
    const result = await call("request_rollback", { to_run_id: target.run_id, dry_run: true });
    expect(result.isError ?? false).toBe(false);
    const run = result.structuredContent as unknown as Run;
    expect(run).toMatchObject({
      spec_slug: "controlroom/rollback",
      git_sha: GIT_SHA,
      labels: { rollback_of_run: target.run_id },
    });
    expect(run.phases[0]).toMatchObject({
      name: "restore",
      requires: ["controlroom-rollback"],
      params: {
        rollback_of_run: target.run_id,
        dry_run: true,
        tables: [{ name: "silver.orders", location: "silver/shop/orders", version: 7 }],
      },
    });
  });

  it("creates a rebuild run pinned to the target's inputs", async () => {
    const target = await publishedRun();
    const result = await call("request_rebuild", { run_id: target.run_id });
    expect(result.isError ?? false).toBe(false);
    const run = result.structuredContent as unknown as Run;
    expect(run.spec_slug).toBe("controlroom/rebuild");
    expect(run.phases.map((p) => [p.name, p.requires])).toEqual([
      ["silver", ["shop-rebuild"]],
      ["verify", ["shop-rebuild"]],
    ]);
    expect(run.phases[0]?.params).toEqual({ inputs: { orders: bronze } });
    expect(run.input_manifest).toMatchObject({ rebuild_of_run: target.run_id });
  });

  it("reports a run that is not there, or not finished, as a tool error with its code", async () => {
    const missing = await call("request_rollback", { to_run_id: randomUUID() });
    expect(missing.isError).toBe(true);
    expect((missing.content[0] as { text: string }).text).toMatch(/^not_found/);
    const queued = await admin.runs.create({
      spec_slug: "shop",
      git_sha: GIT_SHA,
      environment: "dev",
      phases: [{ name: "ingest", kind: "ingest", requires: ["nobody"] }],
      input_manifest: {},
    });
    const early = await call("request_rebuild", { run_id: queued.run_id });
    expect(early.isError).toBe(true);
    expect((early.content[0] as { text: string }).text).toMatch(/^validation_failed.*is queued/);
    const bad = await call("request_rollback", { to_run_id: "not-a-uuid" });
    expect(bad.isError).toBe(true);
  });
});
