import { randomUUID } from "node:crypto";
import {
  CONTRACT_VERSION,
  CONTRACT_VERSION_HEADER,
  type ErrorCode,
  PROBLEM_MEDIA_TYPE,
  type Role,
} from "@controlroom/contract";
import { expect } from "vitest";
import {
  type ControlPlaneApp,
  type ControlPlaneAppOptions,
  createControlPlaneApp,
  type OpsStore,
  openPgliteStore,
  signToken,
} from "../src/index.js";

/** A control plane app over a real in-memory PGlite store, and helpers to call it. */
export interface HttpHarness {
  app: ControlPlaneApp;
  store: OpsStore;
  jwtSecret: string;
  /** A fresh tenant id, so tests sharing a store never see each other's runs. */
  newTenant(): string;
  token(tenant: string, role?: Role, extra?: { expiresIn?: string | number }): Promise<string>;
  call(method: string, path: string, init?: CallInit): Promise<Response>;
  close(): Promise<void>;
}

export interface CallInit {
  token?: string;
  /** Sent as JSON; a string is sent as is. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Opens a harness; `options` override the app's (the store and secret are the harness's). */
export async function openHttpHarness(
  options: Partial<ControlPlaneAppOptions> = {},
  store?: OpsStore,
): Promise<HttpHarness> {
  const ownStore = store ?? (await openPgliteStore({}));
  const jwtSecret = `test-${randomUUID()}`;
  const app = createControlPlaneApp({
    store: ownStore,
    jwtSecret,
    longPollIntervalMs: 100,
    logger: { error: () => undefined, warn: () => undefined },
    ...options,
  });
  return {
    app,
    store: ownStore,
    jwtSecret,
    newTenant: () => `tenant-${randomUUID()}`,
    token: (tenant, role = "admin", extra = {}) =>
      signToken({ secret: jwtSecret, tenant_id: tenant, role, sub: `${role}-test`, ...extra }),
    call: async (method, path, init = {}) => {
      const headers: Record<string, string> = { ...init.headers };
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      let body: string | undefined;
      if (init.body !== undefined && method !== "GET" && method !== "HEAD") {
        body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
        headers["content-type"] ??= "application/json";
      }
      return app.request(path, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        ...(init.signal ? { signal: init.signal } : {}),
      });
    },
    close: async () => {
      if (!store) await ownStore.close();
    },
  };
}

/** Asserts the headers every response must carry. */
export function expectCommonHeaders(res: Response): void {
  expect(res.headers.get(CONTRACT_VERSION_HEADER)).toBe(CONTRACT_VERSION);
  expect(res.headers.get("x-request-id")).toMatch(/\S+/);
}

/** Asserts `res` is a problem document with `code` and the code's status. */
export async function expectProblem(
  res: Response,
  status: number,
  code: ErrorCode,
): Promise<{ detail: string; errors?: { path: string; message: string }[] }> {
  expectCommonHeaders(res);
  const text = await res.text();
  expect({ status: res.status, text }).toMatchObject({ status });
  expect(res.headers.get("content-type")).toBe(PROBLEM_MEDIA_TYPE);
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(body).toMatchObject({ status, code, type: expect.stringContaining(code) });
  expect(typeof body.title).toBe("string");
  expect(typeof body.detail).toBe("string");
  return body as { detail: string; errors?: { path: string; message: string }[] };
}

export const GIT_SHA = "3f786850e387550fdab836ed7e6dc881de23001b";

/** A create-run body with `names` as a chain of phases. */
export function createRunBody(names: string[] = ["extract", "load"], extra: object = {}) {
  return {
    spec_slug: "http-test",
    git_sha: GIT_SHA,
    environment: "dev",
    phases: names.map((name) => ({ name, kind: "custom" })),
    input_manifest: { source: "test" },
    labels: { suite: "http" },
    ...extra,
  };
}

export function claimBody(extra: object = {}) {
  return {
    executor_id: "worker-1",
    capabilities: [],
    environments: ["dev"],
    request_id: randomUUID(),
    ...extra,
  };
}

/** Creates a run as an operator of `tenant` and returns its id. */
export async function createRun(h: HttpHarness, tenant: string, names?: string[]): Promise<string> {
  const res = await h.call("POST", "/ops/runs", {
    token: await h.token(tenant, "operator"),
    body: createRunBody(names),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { run_id: string }).run_id;
}

/** A fresh tenant with an executor's and a viewer's token. */
export async function tenantTokens(h: HttpHarness) {
  const tenant = h.newTenant();
  return {
    tenant,
    executor: await h.token(tenant, "executor"),
    viewer: await h.token(tenant, "viewer"),
  };
}

/** Creates `count` runs one after the other, so they are runnable oldest first. */
export async function createRuns(
  h: HttpHarness,
  tenant: string,
  count: number,
  names = ["only"],
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await createRun(h, tenant, names));
  return ids;
}
