import { randomUUID } from "node:crypto";
import { request } from "node:http";
import { CONTRACT_VERSION, CONTRACT_VERSION_HEADER } from "@controlroom/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimBody, createRunBody } from "../../test/http-harness.js";
import { type RunningControlPlane, startControlPlane } from "../server/start-control-plane.js";
import { ReplyContext } from "./endpoint-reply.js";

interface WireResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request over TCP with node:http, so the headers are exactly what went out. */
function wire(
  cp: RunningControlPlane,
  method: string,
  path: string,
  init: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<WireResponse> {
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  return new Promise((resolve, reject) => {
    const req = request(`${cp.url}${path}`, { method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("replies on the Node server", () => {
  let cp: RunningControlPlane;
  let operator: string;
  // An executor of a tenant with no runs: its claims find nothing (204).
  let idleExecutor: string;
  beforeAll(async () => {
    cp = await startControlPlane({ port: 0 });
    operator = await cp.issueToken({ tenant_id: `tenant-${randomUUID()}`, role: "operator" });
    idleExecutor = await cp.issueToken({ tenant_id: `idle-${randomUUID()}`, role: "executor" });
  });
  afterAll(() => cp.close());

  it("carry status, JSON, its length and the headers every response has", async () => {
    const created = await wire(cp, "POST", "/ops/runs", {
      token: operator,
      body: createRunBody(["only"]),
      headers: { "x-request-id": "wire-test-1" },
    });
    expect(created.status).toBe(201);
    const run = JSON.parse(created.body) as { run_id: string };
    expect(created.headers).toMatchObject({
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(created.body)),
      location: `/ops/runs/${run.run_id}`,
      [CONTRACT_VERSION_HEADER]: CONTRACT_VERSION,
      "x-request-id": "wire-test-1",
    });
    expect(created.headers["transfer-encoding"]).toBeUndefined();

    // The same answer as the app gives in process, where it is a Response.
    const overWire = await wire(cp, "GET", `/ops/runs/${run.run_id}`, { token: operator });
    const inProcess = await cp.app.request(`/ops/runs/${run.run_id}`, {
      headers: { authorization: `Bearer ${operator}` },
    });
    expect(overWire.status).toBe(inProcess.status);
    expect(overWire.headers["content-type"]).toBe(inProcess.headers.get("content-type"));
    expect(JSON.parse(overWire.body)).toEqual(await inProcess.json());
    expect(overWire.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answer 204 with no body and no content type", async () => {
    const res = await wire(cp, "POST", "/ops/claims", {
      token: idleExecutor,
      body: claimBody(),
    });
    expect(res.status).toBe(204);
    expect(res.body).toBe("");
    expect(res.headers["content-type"]).toBeUndefined();
    expect(res.headers[CONTRACT_VERSION_HEADER]).toBe(CONTRACT_VERSION);
    expect(res.headers["x-request-id"]).toBeDefined();
  });

  it("answer HEAD with the headers of GET and no body", async () => {
    const get = await wire(cp, "GET", "/healthz");
    const head = await wire(cp, "HEAD", "/healthz");
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
    expect(head.headers["content-length"]).toBe(get.headers["content-length"]);
    expect(head.headers["content-type"]).toBe("application/json");
  });

  it("send a text body with its own content type (/metrics) and count replies by status", async () => {
    const before = await wire(cp, "GET", "/metrics");
    const count = (text: string, route: string, status: number) =>
      Number(
        new RegExp(
          `controlroom_http_requests_total\\{[^}]*route="${route}",status="${status}"[^}]*\\} (\\d+)`,
        ).exec(text)?.[1] ?? 0,
      );
    await wire(cp, "POST", "/ops/runs", { token: operator, body: createRunBody(["a"]) });
    await wire(cp, "POST", "/ops/claims", {
      token: idleExecutor,
      body: claimBody(),
    });
    const after = await wire(cp, "GET", "/metrics");
    expect(after.status).toBe(200);
    expect(after.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(count(after.body, "createRun", 201)).toBe(count(before.body, "createRun", 201) + 1);
    expect(count(after.body, "claim", 204)).toBe(count(before.body, "claim", 204) + 1);
    expect(count(after.body, "metrics", 200)).toBe(count(before.body, "metrics", 200) + 1);
  });

  it("still send errors as problem documents with the common headers", async () => {
    const res = await wire(cp, "GET", `/ops/runs/${randomUUID()}`, { token: operator });
    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toBe("application/problem+json");
    expect(res.headers[CONTRACT_VERSION_HEADER]).toBe(CONTRACT_VERSION);
    expect(res.headers["x-request-id"]).toBeDefined();
  });

  it("drop the answer to a client that went away and keep serving", async () => {
    const gone = new Promise<void>((resolve) => {
      const req = request(`${cp.url}/ops/claims`, {
        method: "POST",
        headers: { authorization: `Bearer ${idleExecutor}`, "content-type": "application/json" },
      });
      req.on("error", () => resolve());
      req.end(JSON.stringify(claimBody({ wait_ms: 2_000 })));
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 200);
    });
    await gone;
    // The long-poll ends when its client goes; the next requests are answered as usual.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await wire(cp, "GET", "/healthz")).status).toBe(200);
  });
});

describe("ReplyContext", () => {
  const context = () => new ReplyContext({} as ConstructorParameters<typeof ReplyContext>[0]);

  it("answers JSON with the headers set before, names in lower case", () => {
    const c = context();
    c.header("Location", "/ops/runs/1");
    expect(c.json({ a: 1 }, 201)).toEqual({
      status: 201,
      body: '{"a":1}',
      headers: { location: "/ops/runs/1", "content-type": "application/json" },
    });
  });

  it("answers a body as given; its headers win over earlier ones", () => {
    const c = context();
    c.header("content-type", "text/html");
    expect(c.body("x", 200, { "Content-Type": "text/plain" })).toEqual({
      status: 200,
      body: "x",
      headers: { "content-type": "text/plain" },
    });
    expect(context().body(null, 204)).toEqual({ status: 204, body: null, headers: {} });
  });

  it("refuses what JSON cannot express", () => {
    expect(() => context().json(undefined)).toThrow(TypeError);
  });
});
