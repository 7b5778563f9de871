import { randomUUID } from "node:crypto";
import {
  ENDPOINTS,
  type EndpointDefinition,
  type EndpointName,
  ROLES,
} from "@controlroom/contract";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../src/index.js";
import {
  createRun,
  expectCommonHeaders,
  expectProblem,
  type HttpHarness,
  openHttpHarness,
} from "./http-harness.js";

const BODY_LIMIT = 4 * 1024;
const SHA = "b".repeat(64);

// A body of the right JSON shape but wrong field types, for every endpoint with a body.
const WRONG_TYPES: Record<string, object> = {
  createRun: { spec_slug: 5, git_sha: "nope", environment: "moon", phases: "x" },
  claimRun: { executor_id: 1, capabilities: "duckdb", request_id: "not-a-uuid" },
  claim: {
    executor_id: "w",
    capabilities: [],
    environments: ["dev"],
    request_id: randomUUID(),
    wait_ms: 30_001,
  },
  heartbeat: { lease_token: 42 },
  appendEvents: { events: [{ event_id: "x", type: "lowercase", ts: "yesterday" }] },
  completePhase: { lease_token: "lt", status: "maybe" },
  cancelRun: { reason: 7 },
  registerArtifact: { sha256: "ABC", size_bytes: -1, media_type: "", uri: "relative/path" },
};

const entries = Object.entries(ENDPOINTS) as [EndpointName, EndpointDefinition][];
const withAuth = entries.filter(([, e]) => e.auth);
// Reads are open to every role, so only the rest can be refused.
const restricted = withAuth.filter(([, e]) => ROLES.some((role) => !e.roles.includes(role)));
const withBody = entries.filter(([, e]) => e.body);
const withRunId = entries.filter(([, e]) => e.path.includes("{run_id}"));

let h: HttpHarness;
let tenant: string;
let admin: string;
let runId: string;

function pathOf(endpoint: EndpointDefinition, values: { run_id?: string; sha256?: string } = {}) {
  return endpoint.path
    .replace("{run_id}", values.run_id ?? runId)
    .replace("{sha256}", values.sha256 ?? SHA);
}

beforeAll(async () => {
  h = await openHttpHarness({ bodyLimitBytes: BODY_LIMIT });
  tenant = h.newTenant();
  admin = await h.token(tenant, "admin");
  runId = await createRun(h, tenant);
});
afterAll(() => h?.close());

describe("authentication and roles", () => {
  it.each(withAuth)("%s: no token is 401 with WWW-Authenticate", async (_name, endpoint) => {
    const res = await h.call(endpoint.method.toUpperCase(), pathOf(endpoint), { body: {} });
    await expectProblem(res, 401, "unauthorized");
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it.each(withAuth)(
    "%s: a non-bearer, badly signed, expired or claimless token is 401",
    async (_name, endpoint) => {
      const method = endpoint.method.toUpperCase();
      const path = pathOf(endpoint);
      const badSignature = await signToken({
        secret: "another-secret",
        tenant_id: tenant,
        role: "admin",
      });
      const expired = await signToken({
        secret: h.jwtSecret,
        tenant_id: tenant,
        role: "admin",
        now: Date.now() - 3 * 3_600_000,
        expiresIn: "1h",
      });
      const key = new TextEncoder().encode(h.jwtSecret);
      const noRole = await new SignJWT({ tenant_id: tenant })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("x")
        .sign(key);
      const badRole = await new SignJWT({ tenant_id: tenant, role: "root" })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("x")
        .sign(key);
      const noTenant = await new SignJWT({ role: "admin" })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("x")
        .sign(key);
      const cases: Record<string, string> = {
        basic: `Basic ${Buffer.from("a:b").toString("base64")}`,
        garbage: "Bearer not.a.jwt",
        badSignature: `Bearer ${badSignature}`,
        expired: `Bearer ${expired}`,
        noRole: `Bearer ${noRole}`,
        badRole: `Bearer ${badRole}`,
        noTenant: `Bearer ${noTenant}`,
      };
      for (const [label, authorization] of Object.entries(cases)) {
        const res = await h.call(method, path, { body: {}, headers: { authorization } });
        const problem = await expectProblem(res, 401, "unauthorized");
        expect(problem.detail, label).not.toContain(authorization.slice(7, 40));
        expect(JSON.stringify(problem), label).not.toContain(h.jwtSecret);
      }
    },
  );

  it("the endpoints that refuse some role are the writes", () => {
    expect(restricted.map(([name]) => name).sort()).toEqual(
      withAuth
        .filter(([, e]) => e.method === "post")
        .map(([name]) => name)
        .sort(),
    );
  });

  it.each(restricted)("%s: a role the endpoint does not allow is 403", async (_name, endpoint) => {
    const denied = ROLES.filter((role) => !endpoint.roles.includes(role));
    for (const role of denied) {
      const res = await h.call(endpoint.method.toUpperCase(), pathOf(endpoint), {
        token: await h.token(tenant, role),
        body: {},
      });
      const problem = await expectProblem(res, 403, "forbidden");
      expect(problem.detail).toContain(role);
    }
  });

  it("/healthz and /openapi.json need no token; /metrics is public by default", async () => {
    for (const path of ["/healthz", "/openapi.json", "/metrics"]) {
      const res = await h.call("GET", path);
      expect(res.status, path).toBe(200);
      expectCommonHeaders(res);
    }
  });
});

describe("request bodies", () => {
  it.each(withBody)("%s: malformed JSON is 400 validation_failed", async (_name, endpoint) => {
    const res = await h.call("POST", pathOf(endpoint), { token: admin, body: '{"a": ' });
    const problem = await expectProblem(res, 400, "validation_failed");
    expect(problem.detail).toMatch(/JSON/);
  });

  it.each(withBody)("%s: a JSON body that is not an object is 400", async (_name, endpoint) => {
    for (const body of ["[]", "null", "42", '"text"']) {
      const res = await h.call("POST", pathOf(endpoint), { token: admin, body });
      await expectProblem(res, 400, "validation_failed");
    }
  });

  it.each(withBody)("%s: a non-JSON content type is 400", async (_name, endpoint) => {
    const res = await h.call("POST", pathOf(endpoint), {
      token: admin,
      body: "{}",
      headers: { "content-type": "text/plain" },
    });
    const problem = await expectProblem(res, 400, "validation_failed");
    expect(problem.detail).toContain("application/json");
  });

  it.each(withBody)(
    "%s: wrong field types are 400 with issues under body.*",
    async (name, endpoint) => {
      const res = await h.call("POST", pathOf(endpoint), { token: admin, body: WRONG_TYPES[name] });
      const problem = await expectProblem(res, 400, "validation_failed");
      expect(problem.errors?.length).toBeGreaterThan(0);
      for (const issue of problem.errors ?? []) expect(issue.path).toMatch(/^body\./);
    },
  );

  it.each(withBody)(
    "%s: a body over the limit is 413, by Content-Length or by stream",
    async (_name, endpoint) => {
      const big = JSON.stringify({ padding: "x".repeat(BODY_LIMIT) });
      const declared = await h.call("POST", pathOf(endpoint), {
        token: admin,
        body: big,
        headers: { "content-length": String(big.length) },
      });
      await expectProblem(declared, 413, "payload_too_large");

      const encoder = new TextEncoder();
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 8; i += 1) controller.enqueue(encoder.encode(" ".repeat(1024)));
          controller.enqueue(encoder.encode("{}"));
          controller.close();
        },
      });
      const streamed = await h.app.request(
        new Request(`http://localhost${pathOf(endpoint)}`, {
          method: "POST",
          headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
          body: stream,
          duplex: "half",
        } as RequestInit),
      );
      await expectProblem(streamed, 413, "payload_too_large");
    },
  );

  it("an empty body is read as {} (cancel needs no body)", async () => {
    const run = await createRun(h, tenant, ["only"]);
    const res = await h.call("POST", `/ops/runs/${run}/cancel`, { token: admin });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe("cancelled");
  });

  it("an invalid Idempotency-Key is 400", async () => {
    const res = await h.call("POST", "/ops/runs", {
      token: admin,
      body: "{}",
      headers: { "idempotency-key": "has spaces in it" },
    });
    // The body is checked first only if the key passes; either way the answer is 400.
    await expectProblem(res, 400, "validation_failed");
  });
});

describe("path parameters and queries", () => {
  it.each(withRunId)("%s: a run_id that is not a UUID is 400", async (_name, endpoint) => {
    const res = await h.call(
      endpoint.method.toUpperCase(),
      pathOf(endpoint, { run_id: "not-a-uuid" }),
      {
        token: admin,
        body: {},
      },
    );
    const problem = await expectProblem(res, 400, "validation_failed");
    expect(problem.errors?.[0]?.path).toBe("path.run_id");
  });

  it("a sha256 that is not 64 lowercase hex is 400", async () => {
    for (const sha of ["ABC", "A".repeat(64), "g".repeat(64)]) {
      const res = await h.call("GET", `/ops/artifacts/${sha}`, { token: admin });
      await expectProblem(res, 400, "validation_failed");
    }
  });

  it("bad query values are 400", async () => {
    const cases = [
      "/ops/runs?limit=0",
      "/ops/runs?limit=abc",
      "/ops/runs?status=bogus",
      "/ops/runs?environment=moon",
      `/ops/runs/${runId}/events?after_seq=-1`,
      `/ops/runs/${runId}/events?limit=100000`,
      `/ops/runs/${runId}/events?wait_ms=30001`,
    ];
    for (const path of cases) {
      const res = await h.call("GET", path, { token: admin });
      const problem = await expectProblem(res, 400, "validation_failed");
      expect(problem.errors?.[0]?.path, path).toMatch(/^query\./);
    }
  });
});

describe("unknown things", () => {
  const unknownRun = randomUUID();
  const runScoped: [string, string, object][] = [
    ["GET", `/ops/runs/${unknownRun}`, {}],
    ["GET", `/ops/runs/${unknownRun}/events`, {}],
    ["POST", `/ops/runs/${unknownRun}/cancel`, {}],
    [
      "POST",
      `/ops/runs/${unknownRun}/claim`,
      { executor_id: "w", capabilities: [], request_id: randomUUID() },
    ],
    ["POST", `/ops/runs/${unknownRun}/heartbeat`, { lease_token: "lt_nothing" }],
    [
      "POST",
      `/ops/runs/${unknownRun}/complete`,
      { lease_token: "lt_nothing", status: "succeeded" },
    ],
    [
      "POST",
      `/ops/runs/${unknownRun}/events`,
      { events: [{ event_id: randomUUID(), type: "LOG", ts: new Date().toISOString() }] },
    ],
  ];

  it.each(runScoped)("%s %s for a run that does not exist is 404", async (method, path, body) => {
    const res = await h.call(method, path, { token: admin, body });
    await expectProblem(res, 404, "not_found");
  });

  it("a run of another tenant is 404, not 403", async () => {
    const other = await h.token(h.newTenant(), "admin");
    const res = await h.call("GET", `/ops/runs/${runId}`, { token: other });
    await expectProblem(res, 404, "not_found");
  });

  it("an unknown artifact is 404", async () => {
    const res = await h.call("GET", `/ops/artifacts/${"c".repeat(64)}`, { token: admin });
    await expectProblem(res, 404, "not_found");
  });

  it("an unknown route is a 404 problem", async () => {
    for (const path of ["/", "/nope", "/ops", "/ops/runs/x/y/z", "/ops/runs/"]) {
      const res = await h.call("GET", path, { token: admin });
      await expectProblem(res, 404, "not_found");
    }
  });

  it("a wrong method on a known path is a 404 problem that lists the allowed methods", async () => {
    const cases: [string, string, string][] = [
      ["GET", "/ops/claims", "POST"],
      ["DELETE", `/ops/runs/${runId}`, "GET"],
      ["PUT", "/ops/runs", "GET"],
      ["POST", "/healthz", "GET"],
    ];
    for (const [method, path, allowed] of cases) {
      const res = await h.call(method, path, { token: admin });
      const problem = await expectProblem(res, 404, "not_found");
      expect(res.headers.get("allow"), `${method} ${path}`).toContain(allowed);
      expect(problem.detail).toContain(allowed);
    }
  });
});

describe("headers on every response", () => {
  it("echoes a plain x-request-id and mints one otherwise", async () => {
    const echoed = await h.call("GET", "/healthz", { headers: { "x-request-id": "req-abc_123" } });
    expect(echoed.headers.get("x-request-id")).toBe("req-abc_123");
    const minted = await h.call("GET", "/nope");
    const replaced = await h.call("GET", "/ops/runs", {
      headers: { "x-request-id": "<script>alert(1)</script>" },
    });
    for (const res of [minted, replaced]) {
      expectCommonHeaders(res);
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(minted.headers.get("x-request-id")).not.toBe(replaced.headers.get("x-request-id"));
  });
});

describe("unexpected errors", () => {
  it("are 500 internal with the request id, and the cause stays in the log", async () => {
    const logged: unknown[] = [];
    const secretish = "SELECT password FROM users -- s3cr3t";
    const broken = new Proxy(h.store, {
      get(target, property, receiver) {
        if (property === "getRun") {
          return async () => {
            throw new Error(secretish);
          };
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const sabotaged = await openHttpHarness(
      { logger: { error: (...args) => logged.push(args), warn: () => undefined } },
      broken,
    );
    const res = await sabotaged.call("GET", `/ops/runs/${runId}`, {
      token: await sabotaged.token(tenant),
      headers: { "x-request-id": "req-500" },
    });
    const problem = await expectProblem(res, 500, "internal");
    expect(problem.detail).toContain("req-500");
    expect(JSON.stringify(problem)).not.toContain("s3cr3t");
    expect(JSON.stringify(problem)).not.toMatch(/at .*\.ts/);
    expect(JSON.stringify(logged)).toContain("s3cr3t");
  });
});
