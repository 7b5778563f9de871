import { randomUUID } from "node:crypto";
import { request } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { TOOL_SPECS } from "@controlroom/contract";
import { type RunningControlPlane, startControlPlane } from "@controlroom/control-plane";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/index.js";
import { memoryIo } from "./cli-harness.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const BIN = join(ROOT, "packages/cli/src/bin.ts");
const TSX = join(ROOT, "node_modules/.bin/tsx");
const GIT_SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
const TENANT = "acme";

let cp: RunningControlPlane;
let adminToken: string;
let viewerToken: string;

beforeAll(async () => {
  cp = await startControlPlane({ port: 0 });
  adminToken = await cp.issueToken({ tenant_id: TENANT, role: "admin", sub: "agent" });
  viewerToken = await cp.issueToken({ tenant_id: TENANT, role: "viewer", sub: "watcher" });
});
afterAll(() => cp?.close());

/** Calls a tool; the result as the MCP client got it, with its text parsed when it is JSON. */
async function call(client: Client, name: string, args: Record<string, unknown>) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const first = result.content[0];
  const text = first?.type === "text" ? first.text : "";
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { isError: result.isError === true, text, json: (json ?? {}) as Record<string, unknown> };
}

/** The same scenario over either transport: one run driven to completion, then the failures. */
async function driveOneRun(client: Client) {
  const { tools } = await client.listTools();
  expect(tools.map((tool) => tool.name)).toEqual(TOOL_SPECS.map((spec) => spec.name));
  const createTool = tools.find((tool) => tool.name === "create_run")!;
  expect(createTool.inputSchema.required).toEqual(
    expect.arrayContaining(["spec_slug", "git_sha", "phases"]),
  );

  const created = await call(client, "create_run", {
    spec_slug: "mcp-smoke",
    git_sha: GIT_SHA,
    environment: "dev",
    phases: [{ name: "extract", kind: "ingest", retry: { max_attempts: 1 } }],
    input_manifest: { source: "mcp" },
    idempotency_key: randomUUID(),
  });
  expect(created.isError, created.text).toBe(false);
  const runId = created.json.run_id as string;
  expect(created.json.status).toBe("queued");

  const claimed = await call(client, "claim", {
    run_id: runId,
    executor_id: "agent-1",
    capabilities: [],
  });
  expect(claimed.isError, claimed.text).toBe(false);
  expect(claimed.json.phase).toBe("extract");
  const leaseToken = claimed.json.lease_token as string;

  const beat = await call(client, "heartbeat", {
    run_id: runId,
    lease_token: leaseToken,
    progress: { fraction: 0.5, message: "halfway" },
  });
  expect(beat.isError, beat.text).toBe(false);
  expect(beat.json.cancel_requested).toBe(false);

  const appended = await call(client, "append_events", {
    run_id: runId,
    events: [
      {
        event_id: randomUUID(),
        phase: "extract",
        type: "PHASE_PROGRESS",
        ts: new Date().toISOString(),
        message: "read 3 rows",
        payload: { rows: 3 },
      },
    ],
  });
  expect(appended.isError, appended.text).toBe(false);
  expect(appended.json).toEqual({ accepted: 1, duplicates: 0 });

  const completed = await call(client, "complete_phase", {
    run_id: runId,
    lease_token: leaseToken,
    status: "succeeded",
    output: { rows: 3 },
  });
  expect(completed.isError, completed.text).toBe(false);

  const run = await call(client, "get_run", { run_id: runId });
  expect(run.json.status).toBe("succeeded");

  const events = await call(client, "list_events", { run_id: runId });
  const types = (events.json.items as { type: string }[]).map((event) => event.type);
  expect(types).toEqual(
    expect.arrayContaining([
      "RUN_CREATED",
      "PHASE_CLAIMED",
      "PHASE_PROGRESS",
      "PHASE_SUCCEEDED",
      "RUN_SUCCEEDED",
    ]),
  );
  expect(types[0]).toBe("RUN_CREATED");

  const listed = await call(client, "list_runs", { spec_slug: "mcp-smoke", limit: 5 });
  expect((listed.json.items as { run_id: string }[]).map((r) => r.run_id)).toContain(runId);

  // Nothing left to claim: an answer, not an error.
  const none = await call(client, "claim", {
    run_id: runId,
    executor_id: "agent-1",
    capabilities: [],
  });
  expect(none.isError).toBe(false);
  expect(none.text).toMatch(/^nothing/);

  // Invalid arguments never reach the server: the contract's code and the offending path.
  const invalid = await call(client, "create_run", {
    spec_slug: "mcp-smoke",
    git_sha: "not-a-sha",
    environment: "dev",
    phases: [{ name: "extract", kind: "ingest" }],
    input_manifest: {},
  });
  expect(invalid.isError).toBe(true);
  expect(invalid.text).toMatch(/^validation_failed: /);
  expect(invalid.text).toContain("- git_sha:");

  const misplaced = await call(client, "claim", {
    run_id: runId,
    executor_id: "agent-1",
    capabilities: [],
    wait_ms: 1_000,
  });
  expect(misplaced.isError).toBe(true);
  expect(misplaced.text).toMatch(/^validation_failed: [\s\S]*- wait_ms:/);

  // The lease of the completed attempt is stale now.
  const stale = await call(client, "heartbeat", { run_id: runId, lease_token: leaseToken });
  expect(stale.isError).toBe(true);
  expect(stale.text).toMatch(/^lease_lost \(409\): /);
  const staleComplete = await call(client, "complete_phase", {
    run_id: runId,
    lease_token: `${leaseToken}x`,
    status: "failed",
    error: { message: "late" },
  });
  expect(staleComplete.isError).toBe(true);
  expect(staleComplete.text).toMatch(/^lease_lost \(409\): /);

  const missing = await call(client, "get_run", { run_id: randomUUID() });
  expect(missing.isError).toBe(true);
  expect(missing.text).toMatch(/^not_found \(404\): /);

  await expect(client.callTool({ name: "no_such_tool", arguments: {} })).rejects.toThrow(
    /unknown tool/,
  );
  return runId;
}

async function expectForbiddenCreate(client: Client) {
  const denied = await call(client, "create_run", {
    spec_slug: "mcp-smoke",
    git_sha: GIT_SHA,
    environment: "dev",
    phases: [{ name: "extract", kind: "ingest" }],
    input_manifest: {},
  });
  expect(denied.isError).toBe(true);
  expect(denied.text).toMatch(/^forbidden \(403\): /);
  // A viewer still reads.
  const runs = await call(client, "list_runs", {});
  expect(runs.isError, runs.text).toBe(false);
}

function stdioClient(token: string) {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("CONTROLROOM_")) env[key] = value;
  }
  const transport = new StdioClientTransport({
    command: TSX,
    args: ["--conditions", "@controlroom/source", BIN, "mcp", "--url", cp.url, "--token", token],
    env,
    cwd: ROOT,
    stderr: "pipe",
  });
  return { client: new Client({ name: "cli-mcp-test", version: "1.0.0" }), transport };
}

// Each stdio test starts the CLI with tsx (compiling the source): allow for a slow machine.
describe("controlroom mcp over stdio (a real process)", { timeout: 90_000 }, () => {
  it("drives a run to completion and reports failures as tool errors with the contract's code", async () => {
    const { client, transport } = stdioClient(adminToken);
    let stderr = "";
    transport.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    await client.connect(transport);
    try {
      expect(client.getServerVersion()?.name).toBe("controlroom");
      await driveOneRun(client);
      expect(stderr).toContain("tools over stdio");
    } finally {
      await client.close();
    }
  });

  it("a viewer token cannot create a run", async () => {
    const { client, transport } = stdioClient(viewerToken);
    await client.connect(transport);
    try {
      await expectForbiddenCreate(client);
    } finally {
      await client.close();
    }
  });
});

describe("controlroom mcp --http (streamable HTTP)", () => {
  let url: string;
  let stop: (signal: string) => void;
  let exited: Promise<number>;

  beforeAll(async () => {
    const { io, out } = memoryIo({ CONTROLROOM_URL: cp.url });
    io.waitForStop = () =>
      new Promise((resolve) => {
        stop = resolve;
      });
    // No server token: every request brings its own.
    exited = runCli(["mcp", "--http", "--port", "0"], io);
    const deadline = Date.now() + 20_000;
    while (!out.some((line) => line.includes("listening on"))) {
      if (Date.now() > deadline) throw new Error(`mcp --http did not start: ${out.join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    url = /listening on (\S+)/.exec(out.join("\n"))![1]!;
  });
  afterAll(async () => {
    stop?.("SIGTERM");
    expect(await exited).toBe(0);
  });

  function httpClient(token: string) {
    const transport = new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    });
    return { client: new Client({ name: "cli-mcp-test", version: "1.0.0" }), transport };
  }

  it("drives a run to completion with the caller's bearer token", async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const { client, transport } = httpClient(adminToken);
    await client.connect(transport);
    try {
      await driveOneRun(client);
    } finally {
      await client.close();
    }
  });

  it("acts with the caller's role: a viewer cannot create", async () => {
    const { client, transport } = httpClient(viewerToken);
    await client.connect(transport);
    try {
      await expectForbiddenCreate(client);
    } finally {
      await client.close();
    }
  });

  it("refuses requests without a token, and Host headers that are not loopback", async () => {
    const initialize = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "curl", version: "1" },
      },
    };
    const headers = {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    };
    const anonymous = await fetch(url, {
      method: "POST",
      headers,
      body: JSON.stringify(initialize),
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe("Bearer");

    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request(
        url,
        {
          method: "POST",
          headers: { ...headers, host: "evil.example", authorization: `Bearer ${adminToken}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify(initialize));
    });
    expect(rebound).toBe(403);

    const get = await fetch(url, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(get.status).toBe(405);
  });
});

describe("controlroom mcp flags", () => {
  it("needs a token for stdio, and --port only with --http", async () => {
    const noToken = memoryIo({ CONTROLROOM_URL: "http://127.0.0.1:9" });
    expect(await runCli(["mcp"], noToken.io)).toBe(2);
    expect(noToken.err.join("\n")).toContain("no token");
    const stray = memoryIo({ CONTROLROOM_TOKEN: "t" });
    expect(await runCli(["mcp", "--port", "1"], stray.io)).toBe(2);
    expect(stray.err.join("\n")).toContain("--port and --host go with --http");
    const help = memoryIo();
    expect(await runCli(["mcp", "--help"], help.io)).toBe(0);
    expect(help.out.join("\n")).toContain("create_run, claim, heartbeat");
  });
});
