import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type RunningControlPlane, startControlPlane } from "@controlroom/control-plane";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isControlPlanePath } from "../src/web/control-plane-paths.js";
import { serveStaticAsset } from "../src/web/static-assets.js";
import { createUiApi } from "../src/web/ui-api.js";
import { type RunningWebFront, startWebFront } from "../src/web/web-front.js";

// The pieces `controlroom serve` puts in front of the control plane, on a real control
// plane (PGlite in memory) and real files: the built app, the SPA fallback, the API
// passed through untouched, and the UI's read endpoints with the caller's own token.

let dir: string;
let lake: string;
let assets: string;
let cp: RunningControlPlane;
let front: RunningWebFront;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "controlroom-web-serve-"));
  lake = join(dir, "lake");
  assets = join(dir, "app");
  await mkdir(join(assets, "assets"), { recursive: true });
  await writeFile(join(assets, "index.html"), "<!doctype html><title>app</title>");
  await writeFile(join(assets, "assets", "index-abc.js"), "console.log(1)");
  cp = await startControlPlane({ port: 0 });
  const ui = createUiApi({
    controlPlane: cp.app.fetch,
    lake,
    env: {},
    cwd: dir,
    onError: () => {},
  });
  front = await startWebFront({
    controlPlane: cp.app.fetch,
    uiApi: ui.fetch,
    assetsDirectory: assets,
    port: 0,
    host: "127.0.0.1",
  });
  for (const [name, tenant, role] of [
    ["viewer", "t1", "viewer"],
    ["executor", "t1", "executor"],
    ["operator", "t1", "operator"],
    ["stranger", "t2", "admin"],
  ] as const) {
    tokens[name] = await cp.issueToken({ tenant_id: tenant, role });
  }
}, 60_000);

afterAll(async () => {
  await front?.close();
  await cp?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const get = (path: string, token?: string) =>
  fetch(`${front.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

/** Stores `bytes` at `path` and registers them as an artifact claiming `sha256`. */
async function registerArtifact(path: string, bytes: string, sha256 = sha(bytes)) {
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, bytes);
  const response = await fetch(`${front.url}/ops/artifacts`, {
    method: "POST",
    headers: { authorization: `Bearer ${tokens.executor}`, "content-type": "application/json" },
    body: JSON.stringify({
      sha256,
      size_bytes: Buffer.byteLength(bytes),
      media_type: "application/sql",
      uri: pathToFileURL(path).href,
    }),
  });
  expect(response.status).toBe(201);
  return sha256;
}

const problemOf = async (response: Response) =>
  (await response.json()) as { code: string; detail: string };

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

describe("the web front of controlroom serve", () => {
  it("serves the app, with the SPA fallback for page paths", async () => {
    const index = await get("/");
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(index.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(index.headers.get("cache-control")).toBe("no-cache");
    expect(await index.text()).toContain("<title>app</title>");

    const page = await get("/runs/0190abcd");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>app</title>");

    const script = await get("/assets/index-abc.js");
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(script.headers.get("cache-control")).toContain("immutable");
    expect((await get("/assets/missing.js")).status).toBe(404);
    expect((await get("/favicon.ico")).status).toBe(404);
    expect((await fetch(`${front.url}/`, { method: "POST" })).status).toBe(405);
  });

  it("never lets a path leave the app's directory", async () => {
    // Encoded slashes survive URL parsing and decode to `..` segments.
    const escaped = await serveStaticAsset(
      assets,
      new Request("http://x/..%2f..%2f..%2fetc%2fpasswd"),
    );
    expect(escaped.status).toBe(404);
    // Dot segments are resolved by the URL parser itself: what is left is a page path.
    const dotted = await serveStaticAsset(assets, new Request("http://x/%2e%2e/%2e%2e/etc/passwd"));
    expect(await dotted.text()).toContain("<title>app</title>");
  });

  it("hands every contract path to the control plane untouched, unknown ones included", async () => {
    const health = await get("/healthz");
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });
    expect(health.headers.get("controlroom-contract-version")).toMatch(/^1\./);
    expect((await get("/metrics")).headers.get("content-type")).toContain("text/plain");
    const unknown = await get("/ops/nothing-here");
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toBe("application/problem+json");
    expect((await get("/ops/runs")).status).toBe(401);
    expect((await get("/ops/runs", tokens.viewer)).status).toBe(200);
    expect(isControlPlanePath("/openapi.json")).toBe(true);
    expect(isControlPlanePath("/runs")).toBe(false);
  });
});

describe("the web UI's read endpoints", () => {
  it("serve an artifact's bytes from the lake to a caller who may see it", async () => {
    const text = "SELECT 1;\n";
    const sha256 = await registerArtifact(join(lake, "artifacts", "q.sql"), text);
    const response = await get(`/ui/api/artifacts/${sha256}/content`, tokens.viewer);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(text);
    // Whatever the artifact claims to be, it never renders as a page of this origin.
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(response.headers.get("x-artifact-media-type")).toBe("application/sql");

    const anonymous = await get(`/ui/api/artifacts/${sha256}/content`);
    expect(anonymous.status).toBe(401);
    expect((await problemOf(anonymous)).code).toBe("unauthorized");
    const stranger = await get(`/ui/api/artifacts/${sha256}/content`, tokens.stranger);
    expect(stranger.status).toBe(404);
  });

  it("refuse bytes outside the lake, and bytes that do not match the hash", async () => {
    const outside = await registerArtifact(
      join(dir, "elsewhere", "secret.txt"),
      "not in the lake\n",
    );
    const far = await get(`/ui/api/artifacts/${outside}/content`, tokens.viewer);
    expect(far.status).toBe(404);
    expect((await problemOf(far)).detail).toMatch(/outside the lake/);

    const claimed = sha("what was registered");
    await registerArtifact(join(lake, "artifacts", "changed.sql"), "what is there now", claimed);
    const changed = await get(`/ui/api/artifacts/${claimed}/content`, tokens.viewer);
    expect(changed.status).toBe(409);
    expect((await problemOf(changed)).code).toBe("conflict");

    const bad = await get("/ui/api/artifacts/nothex/content", tokens.viewer);
    expect(bad.status).toBe(400);
  });

  it("answer a table request for a run without a manifest with a message, and unknown paths with 404", async () => {
    const created = await fetch(`${front.url}/ops/runs`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.operator}`, "content-type": "application/json" },
      body: JSON.stringify({
        spec_slug: "ui",
        git_sha: "0".repeat(40),
        environment: "dev",
        phases: [{ name: "a", kind: "custom" }],
        input_manifest: {},
      }),
    });
    const run = (await created.json()) as { run_id: string };
    const table = await get(`/ui/api/runs/${run.run_id}/tables/gold.x`, tokens.viewer);
    expect(table.status).toBe(404);
    expect((await problemOf(table)).detail).toMatch(/listed once it has ended/);
    const strangerView = await get(`/ui/api/runs/${run.run_id}/tables/gold.x`, tokens.stranger);
    expect(strangerView.status).toBe(404);
    expect((await get("/ui/api/nothing", tokens.viewer)).status).toBe(404);
  });
});
