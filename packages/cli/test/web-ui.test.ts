import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readJwtSecret, signToken } from "@controlroom/control-plane";
import { ControlRoomClient, ForbiddenError } from "@controlroom/sdk";
import { webAssetsBuilt } from "@controlroom/web";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliProcess, spawnCli, waitForOutput } from "./cli-harness.js";
import {
  launchChromium,
  pageErrors,
  saveElementScreenshot,
  saveScreenshot,
  screenshotDirectory,
} from "./web-ui-browser.js";

// The end-to-end check, with real parts only: the README's demo command writes
// a run into a data directory, `controlroom serve` (a real process) serves the built
// web app and the API, Debian's Chromium opens the printed link, and a second run is
// driven through the SDK as an executor would, while the browser watches.

const SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
const VIEWPORT = { width: 1280, height: 800 };

let dir: string;
let serve: ChildProcess;
let url: string;
let adminLink: string;
let demoRunId: string;
let browser: Browser;
let shots: string;
let tokens: { operator: string; viewer: string; executor: string };

beforeAll(async () => {
  if (!webAssetsBuilt()) {
    throw new Error(
      "the web UI is not built: run `pnpm --filter @controlroom/web build` (or `pnpm build`) first",
    );
  }
  dir = await mkdtemp(join(tmpdir(), "controlroom-web-ui-"));
  const dataDir = join(dir, "data");
  const demo = await runCliProcess(["demo", "--data-dir", dataDir, "--rows", "1000", "--json"]);
  expect(demo.status, demo.stderr).toBe(0);
  demoRunId = (JSON.parse(demo.stdout) as { run_id: string }).run_id;

  serve = spawnCli(["serve", "--port", "0", "--data-dir", dataDir]);
  const stdout = await waitForOutput(serve, /Press Ctrl\+C/);
  url = /export CONTROLROOM_URL=(\S+)/.exec(stdout)?.[1] as string;
  adminLink = /Web UI, signed in as that admin: (\S+)/.exec(stdout)?.[1] as string;
  expect(adminLink).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+\.[\w-]+\.[\w-]+$/);

  // What `controlroom token --data-dir` signs, without a process per token.
  const secret = (await readJwtSecret(dataDir)) as string;
  const sign = (role: "operator" | "viewer" | "executor") =>
    signToken({ secret, tenant_id: "default", role, sub: `e2e-${role}`, expiresIn: "1h" });
  tokens = {
    operator: await sign("operator"),
    viewer: await sign("viewer"),
    executor: await sign("executor"),
  };
  browser = await launchChromium();
  shots = await screenshotDirectory();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  if (serve && serve.exitCode === null) {
    const exited = new Promise((resolve) => serve.once("exit", resolve));
    serve.kill("SIGTERM");
    await exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A run of two phases, extract → load, created as an operator. */
async function createRun(label: string) {
  const operator = new ControlRoomClient({ baseUrl: url, token: tokens.operator });
  return operator.runs.create({
    spec_slug: "ui-e2e",
    git_sha: SHA,
    environment: "dev",
    phases: [
      { name: "extract", kind: "ingest" },
      { name: "load", kind: "publish" },
    ],
    input_manifest: { test: label },
    labels: { test: label },
  });
}

describe("the web UI in headless Chromium", { timeout: 180_000 }, () => {
  it("signs in from the printed admin link, finds the demo run and shows every phase succeeded", async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = pageErrors(page);
    await page.goto(adminLink);
    // The token is taken out of the address at once.
    await page.waitForURL((address) => address.hash === "");
    await expect.poll(() => page.getByTestId("identity").textContent()).toContain("admin");

    const row = page.locator(`tr[data-run-id="${demoRunId}"]`);
    await row.waitFor();
    expect(await row.getAttribute("data-status")).toBe("succeeded");
    expect(await row.textContent()).toContain("odoo-finance");
    expect(await row.textContent()).toContain("5/5");
    await saveScreenshot(page, shots, "runs");

    await row.getByRole("link").click();
    await page.waitForURL(`**/runs/${demoRunId}`);
    const nodes = page.locator(".graph-node");
    await expect.poll(() => nodes.count()).toBe(5);
    expect(await nodes.evaluateAll((all) => all.map((n) => n.getAttribute("data-phase")))).toEqual([
      "ingest",
      "validate",
      "silver",
      "gold",
      "publish",
    ]);
    expect(
      new Set(await nodes.evaluateAll((all) => all.map((n) => n.getAttribute("data-status")))),
    ).toEqual(new Set(["succeeded"]));
    expect(await page.getByTestId("run-verdict").textContent()).toContain(
      "Succeeded: all 5 phases ran.",
    );
    await expect.poll(() => page.getByTestId("event-count").textContent()).toMatch(/^\d+ events$/);
    expect(await page.locator(".timeline-row").count()).toBe(5);
    await saveScreenshot(page, shots, "run");

    // Selecting a phase in the graph filters the events to it.
    await page.locator('.graph-node[data-phase="validate"]').click();
    await expect
      .poll(() => page.getByTestId("event-count").textContent())
      .toMatch(/^\d+ of \d+ events$/);
    const phases = await page.locator(".event-row > span:nth-child(4)").allTextContents();
    expect(phases.length).toBeGreaterThan(0);
    expect(new Set(phases)).toEqual(new Set(["validate"]));
    expect(errors).toEqual([]);
    await page.close();
  });

  it("opens a SQL output and shows its query text and preview rows", async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = pageErrors(page);
    await page.goto(`${url}/runs/${demoRunId}#token=${tokens.operator}`);
    await page.getByRole("button", { name: "gold/ar_ageing" }).click();
    const output = page.getByTestId("sql-output");
    await expect.poll(() => output.getByTestId("query-text").textContent()).toMatch(/SELECT/i);
    const previewRows = output.locator(".data-table tbody tr");
    await expect.poll(() => previewRows.count()).toBeGreaterThan(0);
    const headers = await output.locator(".data-table th").allTextContents();
    expect(headers).toContain("partner_name");
    await saveElementScreenshot(output, shots, "sql-output");

    // The table it came from: history with the run that wrote it, schema and rows.
    await page.getByRole("link", { name: "gold.ar_ageing" }).click();
    await page.waitForURL(/\/tables\/gold\.ar_ageing\?run=/);
    const history = page.getByRole("region", { name: "version history" });
    await expect.poll(() => history.textContent()).toContain(demoRunId.slice(0, 8));
    expect(await history.textContent()).toContain("gold");
    await expect
      .poll(() =>
        page.getByRole("region", { name: "rows of gold.ar_ageing" }).locator("tbody tr").count(),
      )
      .toBeGreaterThan(0);
    await saveScreenshot(page, shots, "table");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("tails the events of a run in progress live, and lets an operator cancel it", async () => {
    const run = await createRun("live");
    const executor = new ControlRoomClient({ baseUrl: url, token: tokens.executor });
    const lease = await executor.claims.claimRun(run.run_id, {
      executor_id: "e2e-worker",
      capabilities: [],
    });
    expect(lease?.phase).toBe("extract");
    await executor.leases.heartbeat(run.run_id, { lease_token: lease!.lease_token });

    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = pageErrors(page);
    await page.goto(`${url}/runs/${run.run_id}#token=${tokens.operator}`);
    await expect
      .poll(() => page.locator('.graph-node[data-phase="extract"]').getAttribute("data-status"))
      .toBe("running");
    await expect.poll(() => page.getByTestId("event-count").textContent()).toContain("live");

    // Events appended now show up without a reload.
    for (let i = 1; i <= 3; i += 1) {
      await executor.events.append(run.run_id, [
        {
          type: "PHASE_PROGRESS",
          phase: "extract",
          message: `live event ${i} of 3`,
          payload: { i },
        },
      ]);
      await page.getByText(`live event ${i} of 3`).waitFor({ timeout: 20_000 });
    }
    await saveScreenshot(page, shots, "live-run");

    // An operator sees cancel; the running phase learns of it at its next heartbeat.
    await page.getByRole("button", { name: "Cancel run…" }).click();
    await page.getByLabel("Reason").fill("stopped by the e2e test");
    await page.getByRole("button", { name: "Confirm cancel" }).click();
    await page.getByText("Cancel requested").waitFor();
    const beat = await executor.leases.heartbeat(run.run_id, { lease_token: lease!.lease_token });
    expect(beat.cancel_requested).toBe(true);
    await executor.leases.complete(run.run_id, {
      lease_token: lease!.lease_token,
      status: "failed",
      error: { message: "cancelled by the operator", retryable: false },
    });
    await expect
      .poll(() => page.locator("article.run-page").getAttribute("data-run-status"), {
        timeout: 20_000,
      })
      .toBe("cancelled");
    await page.getByText("RUN_CANCELLED").waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows a viewer no cancel button, and the server refuses a viewer's cancel anyway", async () => {
    const run = await createRun("viewer");
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    await page.goto(`${url}/runs/${run.run_id}#token=${tokens.viewer}`);
    await expect.poll(() => page.getByTestId("identity").textContent()).toContain("viewer");
    await expect
      .poll(() => page.locator("article.run-page").getAttribute("data-run-status"))
      .toBe("queued");
    expect(await page.getByRole("button", { name: /cancel/i }).count()).toBe(0);

    // The same call the button would make, from the page, with the viewer's token.
    const status = await page.evaluate(
      async ({ runId, token }) =>
        (
          await fetch(`/ops/runs/${runId}/cancel`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: "{}",
          })
        ).status,
      { runId: run.run_id, token: tokens.viewer },
    );
    expect(status).toBe(403);
    const viewer = new ControlRoomClient({ baseUrl: url, token: tokens.viewer });
    await expect(viewer.runs.cancel(run.run_id)).rejects.toBeInstanceOf(ForbiddenError);
    await context.close();
    await new ControlRoomClient({ baseUrl: url, token: tokens.operator }).runs.cancel(run.run_id);
  });

  it("stays fast on a run with 10,000 events: only the rows in view are in the page", async () => {
    const run = await createRun("big");
    const executor = new ControlRoomClient({ baseUrl: url, token: tokens.executor });
    for (let batch = 0; batch < 10; batch += 1) {
      await executor.events.append(
        run.run_id,
        Array.from({ length: 1_000 }, (_, i) => ({
          type: "LOG",
          phase: "extract",
          level: i % 100 === 0 ? ("warn" as const) : ("info" as const),
          message: `bulk event ${batch * 1_000 + i + 1}`,
          payload: { batch, i },
        })),
      );
    }
    const page = await browser.newPage({ viewport: VIEWPORT });
    const started = Date.now();
    await page.goto(`${url}/runs/${run.run_id}#token=${tokens.viewer}`);
    await expect
      .poll(() => page.getByTestId("event-count").textContent(), { timeout: 30_000 })
      .toMatch(/^10001 events/);
    const loadedMs = Date.now() - started;
    expect(loadedMs).toBeLessThan(30_000);
    expect(await page.locator(".virtual-row").count()).toBeLessThan(80);

    // End jumps to the last event; the level filter narrows to the 100 warnings.
    const list = page.getByRole("listbox", { name: "events" });
    await list.press("End");
    await list.getByText("bulk event 10000", { exact: true }).waitFor();
    // …and selects it, showing its payload.
    await page.getByText("#10001 LOG").waitFor();
    await page.getByLabel("minimum level").selectOption("warn");
    await expect
      .poll(() => page.getByTestId("event-count").textContent())
      .toMatch(/^100 of 10001 events/);
    await page.close();
    await new ControlRoomClient({ baseUrl: url, token: tokens.operator }).runs.cancel(run.run_id);
  });

  it("shows the Tables and Health screens, and API errors as messages", async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = pageErrors(page);
    await page.goto(`${url}/tables#token=${tokens.viewer}`);
    await page.getByRole("link", { name: "gold.ar_ageing" }).waitFor();
    expect(await page.getByRole("region", { name: "tables", exact: true }).textContent()).toContain(
      "silver.account_moves",
    );
    await saveScreenshot(page, shots, "tables");

    await page.getByRole("link", { name: "Health" }).click();
    await page.getByRole("list", { name: "success rate by phase" }).waitFor();
    expect(await page.getByRole("list", { name: "success rate by phase" }).textContent()).toContain(
      "ingest",
    );
    await page.getByRole("img", { name: "ingest lag per source stream over time" }).waitFor();
    await expect.poll(() => page.locator(".card-value").first().textContent()).toMatch(/^\d+$/);
    await saveScreenshot(page, shots, "health");

    // A run that does not exist: a message, not a blank page.
    await page.goto(`${url}/runs/01900000-0000-7000-8000-000000000000`);
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Not found");

    // A token the server does not accept: the message says so and offers to sign in again.
    await page.goto(`${url}/#token=${tokens.viewer.slice(0, -4)}AAAA`);
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("refused the token");
    await page.getByRole("button", { name: "Sign in again" }).click();
    await page.getByLabel("Token").waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });
});
