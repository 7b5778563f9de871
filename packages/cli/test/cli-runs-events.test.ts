import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Event } from "@controlroom/contract";
import { type RunningControlPlane, startControlPlane } from "@controlroom/control-plane";
import { ControlRoomClient } from "@controlroom/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliIo, runCli } from "../src/index.js";
import { memoryIo, spawnCli, waitForOutput } from "./cli-harness.js";

const TENANT = "acme";
const GIT_SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
const SHA256 = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

let cp: RunningControlPlane;
let viewerToken: string;
let operator: ControlRoomClient;
let executor: ControlRoomClient;
let succeeded: string;
let failed: string;
let queued: string;
const dirs: string[] = [];

/** Claims and completes the run's phases one by one, each as `outcome` says. */
async function drive(runId: string, outcome: (phase: string) => "succeeded" | "failed") {
  for (;;) {
    const lease = await executor.claims.claimRun(runId, { executor_id: "w1", capabilities: [] });
    if (lease === null) return;
    const status = outcome(lease.phase);
    await executor.events.append(runId, [
      { type: "LOG", phase: lease.phase, message: `working on ${lease.phase}` },
    ]);
    if (lease.phase === "extract") {
      await executor.artifacts.register({
        sha256: SHA256,
        size_bytes: 6,
        media_type: "text/plain",
        uri: `file:///tmp/artifacts/${SHA256}`,
        link: { run_id: runId, phase: lease.phase, name: "extract.txt" },
      });
    }
    await executor.leases.complete(runId, {
      lease_token: lease.lease_token,
      status,
      ...(status === "succeeded"
        ? { output_manifest: { [`${lease.phase}.txt`]: `sha256:${SHA256}` } }
        : { error: { message: "source unreachable: connection refused", retryable: false } }),
    });
  }
}

function createRun(spec: string, environment: "dev" | "stage" | "prod", phases: string[]) {
  return operator.runs.create({
    spec_slug: spec,
    git_sha: GIT_SHA,
    environment,
    phases: phases.map((name) => ({ name, kind: "custom", retry: { max_attempts: 1 } })),
    input_manifest: { source: "test" },
    labels: { suite: "cli" },
  });
}

async function cli(args: string[], env: Record<string, string | undefined> = {}) {
  const { io, out, err } = memoryIo({
    CONTROLROOM_URL: cp.url,
    CONTROLROOM_TOKEN: viewerToken,
    ...env,
  });
  const status = await runCli(args, io);
  return { status, out, err };
}

/** Waits for a condition on output that a command running in the background prints. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function allEvents(runId: string): Promise<Event[]> {
  const events: Event[] = [];
  for await (const event of operator.events.iterate(runId)) events.push(event);
  return events;
}

/** The seq column of `events tail` text lines. */
function seqs(lines: string[]): number[] {
  return lines.map((line) => Number(line.split(/\s+/)[1]));
}

beforeAll(async () => {
  cp = await startControlPlane({ port: 0 });
  viewerToken = await cp.issueToken({ tenant_id: TENANT, role: "viewer" });
  operator = new ControlRoomClient({
    baseUrl: cp.url,
    token: await cp.issueToken({ tenant_id: TENANT, role: "operator" }),
  });
  executor = new ControlRoomClient({
    baseUrl: cp.url,
    token: await cp.issueToken({ tenant_id: TENANT, role: "executor" }),
  });
  succeeded = (await createRun("orders", "dev", ["extract", "load"])).run_id;
  await drive(succeeded, () => "succeeded");
  failed = (await createRun("invoices", "prod", ["extract", "load"])).run_id;
  await drive(failed, (phase) => (phase === "extract" ? "failed" : "succeeded"));
  queued = (await createRun("orders", "stage", ["extract"])).run_id;
});
afterAll(async () => {
  await cp?.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe("controlroom runs list", () => {
  it("lists runs newest first as a table, filtered by status, spec and environment", async () => {
    const all = await cli(["runs", "list"]);
    expect(all.status).toBe(0);
    expect(all.out[0]).toMatch(/^run_id\s+\| status\s+\| spec\s+\| env\s+\| git_sha/);
    const ids = (lines: string[]) => lines.slice(2).map((line) => line.split(" ")[0]);
    expect(ids(all.out)).toEqual([queued, failed, succeeded]);
    expect(all.out[4]).toMatch(/\| succeeded \| orders\s+\| dev\s+\| 3f786850e387 \| 2\/2/);
    expect(all.err).toEqual(["(3 runs)"]);

    expect(ids((await cli(["runs", "list", "--status", "failed"])).out)).toEqual([failed]);
    expect(ids((await cli(["runs", "list", "--spec", "orders"])).out)).toEqual([queued, succeeded]);
    expect(ids((await cli(["runs", "list", "--environment", "prod"])).out)).toEqual([failed]);
    const none = await cli(["runs", "list", "--spec", "orders", "--status", "failed"]);
    expect({ status: none.status, rows: none.out.length }).toEqual({ status: 0, rows: 2 });
  });

  it("honours --limit, says when there are more, and prints JSON", async () => {
    const one = await cli(["runs", "list", "--limit", "1"]);
    expect(one.out.slice(2).map((line) => line.split(" ")[0])).toEqual([queued]);
    expect(one.err.join("\n")).toMatch(/\(1 run; more with a higher --limit\)/);
    const json = await cli(["runs", "list", "--format", "json", "--status", "succeeded"]);
    expect(json.status).toBe(0);
    const runs = JSON.parse(json.out.join("\n")) as { run_id: string; status: string }[];
    expect(runs.map((run) => [run.run_id, run.status])).toEqual([[succeeded, "succeeded"]]);
  });
});

describe("controlroom runs show", () => {
  it("prints the run, its phase table, artifacts and output manifest", async () => {
    const { status, out } = await cli(["runs", "show", succeeded]);
    expect(status).toBe(0);
    const text = out.join("\n");
    expect(text).toMatch(new RegExp(`^run\\s+${succeeded}$`, "m"));
    expect(text).toMatch(/^status\s+succeeded$/m);
    expect(text).toMatch(/^spec\s+orders$/m);
    expect(text).toMatch(new RegExp(`^git_sha\\s+${GIT_SHA}$`, "m"));
    expect(text).toMatch(/^environment\s+dev$/m);
    expect(text).toMatch(/^labels\s+suite=cli$/m);
    expect(text).toMatch(/^finished\s+\d{4}-\d\d-\d\dT/m);
    expect(text).toMatch(/^duration\s+\d/m);

    const phases = out.slice(out.indexOf("Phases") + 1, out.indexOf("Artifacts") - 1);
    expect(phases[0]).toMatch(
      /^ {2}name\s+\| kind\s+\| status\s+\| attempts \| started\s+\| finished\s+\| duration$/,
    );
    expect(phases.slice(2).map((line) => line.split("|").map((cell) => cell.trim()))).toEqual([
      [
        "extract",
        "custom",
        "succeeded",
        "1/1",
        expect.any(String),
        expect.any(String),
        expect.any(String),
      ],
      [
        "load",
        "custom",
        "succeeded",
        "1/1",
        expect.any(String),
        expect.any(String),
        expect.any(String),
      ],
    ]);

    const artifacts = out.slice(out.indexOf("Artifacts") + 1, out.indexOf("Output manifest") - 1);
    expect(artifacts).toEqual([
      "  extract  extract.txt  6 bytes  text/plain",
      `    sha256 ${SHA256}`,
      `    uri    file:///tmp/artifacts/${SHA256}`,
    ]);
    const manifest = out.slice(out.indexOf("Output manifest") + 1).join("\n");
    expect(JSON.parse(manifest)).toEqual({
      phases: {
        extract: { "extract.txt": `sha256:${SHA256}` },
        load: { "load.txt": `sha256:${SHA256}` },
      },
    });
  });

  it("shows a failed phase's last error and the skipped phase after it", async () => {
    const { status, out } = await cli(["runs", "show", failed]);
    expect(status).toBe(0);
    const text = out.join("\n");
    expect(text).toMatch(/^status\s+failed$/m);
    expect(text).toMatch(/\| last_error$/m);
    expect(text).toMatch(
      /extract\s+\| custom \| failed\s+\| 1\/1 .*\| source unreachable: connection refused$/m,
    );
    expect(text).toMatch(/load\s+\| custom \| skipped\s+\| 0\/1/);
  });

  it("prints the run as JSON with its artifacts", async () => {
    const { status, out } = await cli([
      "runs",
      "show",
      succeeded.toUpperCase(),
      "--format",
      "json",
    ]);
    expect(status).toBe(0);
    const run = JSON.parse(out.join("\n"));
    expect(run).toMatchObject({
      run_id: succeeded,
      status: "succeeded",
      phases: [{ name: "extract" }, { name: "load" }],
      artifacts: [{ phase: "extract", name: "extract.txt", sha256: SHA256, size_bytes: 6 }],
    });
  });

  it("a queued run has no output manifest yet", async () => {
    const { out } = await cli(["runs", "show", queued]);
    expect(out.join("\n")).toMatch(/Artifacts\n {2}\(none\)\n\nOutput manifest\n {2}\(none yet/);
  });
});

describe("controlroom events tail", () => {
  it("--no-follow prints every event in seq order and exits", async () => {
    const events = await allEvents(succeeded);
    const { status, out, err } = await cli(["events", "tail", succeeded, "--no-follow"]);
    expect({ status, err }).toEqual({ status: 0, err: [] });
    expect(seqs(out)).toEqual(events.map((event) => event.seq));
    expect(seqs(out)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));
    expect(out[0]).toMatch(/^\S+Z +1 info {2}- +RUN_CREATED/);
    expect(out.at(-1)).toMatch(/ RUN_SUCCEEDED /);
    expect(out.join("\n")).toMatch(/ info {2}extract +LOG +working on extract$/m);
  });

  it("prints JSON lines, and filters by phase and level", async () => {
    const runId = (await createRun("levels", "dev", ["extract"])).run_id;
    await executor.events.append(runId, [
      { type: "LOG", phase: "extract", level: "debug", message: "noise" },
      { type: "LOG", phase: "extract", level: "warn", message: "slow source" },
      { type: "LOG", level: "error", message: "run-level\ntwo lines" },
    ]);
    const jsonl = await cli(["events", "tail", runId, "--no-follow", "--format", "jsonl"]);
    expect(jsonl.out.map((line) => JSON.parse(line))).toEqual(await allEvents(runId));

    const warn = await cli(["events", "tail", runId, "--no-follow", "--level", "warn"]);
    expect(warn.out).toHaveLength(2);
    expect(warn.out[0]).toMatch(/ warn {2}extract +LOG +slow source$/);
    expect(warn.out[1]).toMatch(/ error - +LOG +run-level\\ntwo lines$/);
    const phase = await cli(["events", "tail", runId, "--no-follow", "--phase", "extract"]);
    expect(phase.out.map((line) => line.split(/\s+/)[3])).toEqual(["extract", "extract"]);
  });

  it("follows by default and exits 0 once the run has finished and every event is out", async () => {
    const runId = (await createRun("follow", "dev", ["extract", "load"])).run_id;
    const { io, out } = memoryIo({ CONTROLROOM_URL: cp.url, CONTROLROOM_TOKEN: viewerToken });
    const tail = runCli(["events", "tail", runId], io);
    await until(() => out.some((line) => line.includes("RUN_CREATED")), "RUN_CREATED");
    // The run is driven to its end only after the tail is following it.
    const background = drive(runId, () => "succeeded");
    expect(await tail).toBe(0);
    await background;
    const events = await allEvents(runId);
    expect(seqs(out)).toEqual(events.map((event) => event.seq));
    expect(out.at(-1)).toMatch(/ RUN_SUCCEEDED /);
  });

  it("a stop request (Ctrl+C) ends a follow cleanly with status 0", async () => {
    let stop: (signal: string) => void = () => undefined;
    const { io: base, out } = memoryIo({ CONTROLROOM_URL: cp.url, CONTROLROOM_TOKEN: viewerToken });
    const io: CliIo = {
      ...base,
      waitForStop: () =>
        new Promise<string>((resolve) => {
          stop = resolve;
        }),
    };
    const tail = runCli(["events", "tail", queued, "--follow"], io);
    await until(() => out.some((line) => line.includes("RUN_CREATED")), "RUN_CREATED");
    stop("SIGINT");
    expect(await tail).toBe(0);
    expect((await operator.runs.get(queued)).status).toBe("queued");
  });

  it("as a process: SIGINT while following exits 0", async () => {
    const child = spawnCli(["events", "tail", queued], {
      CONTROLROOM_URL: cp.url,
      CONTROLROOM_TOKEN: viewerToken,
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    await waitForOutput(child, /RUN_CREATED/);
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  });
});

describe("connection", () => {
  it("--data-dir signs an admin token with an embedded server's secret", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "controlroom-cli-data-"));
    dirs.push(dataDir);
    const embedded = await startControlPlane({ port: 0, dataDir });
    try {
      const client = new ControlRoomClient({
        baseUrl: embedded.url,
        token: await embedded.issueToken({ tenant_id: "default", role: "operator" }),
      });
      const run = await client.runs.create({
        spec_slug: "demo",
        git_sha: GIT_SHA,
        environment: "dev",
        phases: [{ name: "only", kind: "custom" }],
        input_manifest: {},
      });
      const { io, out } = memoryIo({}, tmpdir());
      const status = await runCli(
        ["runs", "list", "--data-dir", dataDir, "--url", embedded.url, "--format", "json"],
        io,
      );
      expect(status).toBe(0);
      expect(JSON.parse(out.join("\n")).map((r: { run_id: string }) => r.run_id)).toEqual([
        run.run_id,
      ]);
    } finally {
      await embedded.close();
    }
  }, 60_000);

  it("a missing token is a usage error; a refused token or no server is a failure", async () => {
    const noToken = memoryIo({ CONTROLROOM_URL: cp.url });
    expect(await runCli(["runs", "list"], noToken.io)).toBe(2);
    expect(noToken.err.join("\n")).toMatch(
      /controlroom runs: no token: pass --token, set CONTROLROOM_TOKEN, or pass --data-dir/,
    );
    expect(noToken.err.join("\n")).toMatch(/Usage: controlroom runs list/);

    const refused = await cli(["runs", "list", "--token", "not-a-jwt"]);
    expect(refused.status).toBe(1);
    expect(refused.err.join("\n")).toMatch(/refused the token/);

    const unreachable = await cli(["runs", "list", "--url", "http://127.0.0.1:9"]);
    expect(unreachable.status).toBe(1);
    expect(unreachable.err.join("\n")).toMatch(
      /cannot reach the control plane at http:\/\/127\.0\.0\.1:9/,
    );
  });

  it("an unknown run exits 1 and says so", async () => {
    const unknown = "0190a3b4-0000-7000-8000-000000000000";
    for (const args of [
      ["runs", "show", unknown],
      ["events", "tail", unknown, "--no-follow"],
      ["events", "tail", unknown],
    ]) {
      const { status, out, err } = await cli(args);
      expect({ args, status, out }).toEqual({ args, status: 1, out: [] });
      expect(err.join("\n")).toMatch(
        new RegExp(`run ${unknown} not found \\(or not visible to the token's tenant\\)`),
      );
    }
    // Another tenant's run is just as invisible.
    const stranger = await cp.issueToken({ tenant_id: "other", role: "viewer" });
    expect((await cli(["runs", "show", succeeded], { CONTROLROOM_TOKEN: stranger })).status).toBe(
      1,
    );
  });
});

describe("bad calls exit 2 with the subcommand's usage", () => {
  const cases: [string[], RegExp, RegExp][] = [
    [["runs"], /missing subcommand/, /Usage: controlroom runs <subcommand>/],
    [["runs", "delete"], /unknown subcommand "delete"/, /Usage: controlroom runs <subcommand>/],
    [["runs", "list", "--status", "done"], /--status must be one of queued/, /runs list/],
    [["runs", "list", "--environment", "qa"], /--environment must be one of/, /runs list/],
    [["runs", "list", "--spec", "Not A Slug"], /--spec is not a spec slug/, /runs list/],
    [["runs", "list", "--limit", "0"], /--limit must be a whole number/, /runs list/],
    [["runs", "list", "--format", "csv"], /--format must be one of table, json/, /runs list/],
    [["runs", "list", "--bogus"], /Unknown option '--bogus'/, /runs list/],
    [["runs", "list", "--url", "ftp://x"], /--url must be an http/, /runs list/],
    [["runs", "list", "--token", "t", "--data-dir", "d"], /not both/, /runs list/],
    [["runs", "show"], /missing RUN_ID/, /runs show/],
    [["runs", "show", "run-1"], /RUN_ID must be a UUID/, /runs show/],
    [["events", "tail"], /missing RUN_ID/, /events tail/],
    [["events", "tail", "nope"], /RUN_ID must be a UUID/, /events tail/],
    [["events", "tail", "x", "y"], /exactly one RUN_ID/, /events tail/],
    [
      ["events", "tail", "0190a3b4-0000-7000-8000-000000000000", "-f", "--no-follow"],
      /not both/,
      /events tail/,
    ],
    [
      ["events", "tail", "0190a3b4-0000-7000-8000-000000000000", "--level", "loud"],
      /--level must be one of debug/,
      /events tail/,
    ],
    [
      ["events", "tail", "0190a3b4-0000-7000-8000-000000000000", "--format", "json"],
      /--format must be one of text, jsonl/,
      /events tail/,
    ],
    [["table"], /missing subcommand/, /Usage: controlroom table <subcommand>/],
    [["table", "drop"], /unknown subcommand "drop"/, /Usage: controlroom table <subcommand>/],
    [["table", "history"], /exactly one table URI/, /table history/],
    [["table", "history", ".", "--limit", "-1"], /--limit/, /table history/],
    [["table", "read", ".", "--format", "csv"], /--format must be table or jsonl/, /table read/],
  ];
  it.each(cases)("controlroom %j", async (argv, message, usage) => {
    const { status, out, err } = await cli(argv);
    expect({ status, out }).toEqual({ status: 2, out: [] });
    expect(err.join("\n")).toMatch(message);
    expect(err.join("\n")).toMatch(usage);
  });

  it("--help at every level prints usage to stdout and exits 0", async () => {
    const top = await cli(["--help"]);
    for (const command of ["runs", "events", "table"]) {
      expect(top.out.join("\n")).toMatch(new RegExp(`^  ${command} +\\S`, "m"));
    }
    for (const [argv, usage] of [
      [["runs", "--help"], /Usage: controlroom runs <subcommand>[\s\S]*list[\s\S]*show/],
      [["runs", "list", "--help"], /Usage: controlroom runs list/],
      [["runs", "show", "-h"], /Usage: controlroom runs show RUN_ID/],
      [["events", "--help"], /Usage: controlroom events <subcommand>[\s\S]*tail/],
      [["events", "tail", "--help"], /Usage: controlroom events tail RUN_ID[\s\S]*--no-follow/],
      [["table", "--help"], /Usage: controlroom table <subcommand>[\s\S]*read[\s\S]*history/],
      [["table", "read", "--help"], /Usage: controlroom table read URI/],
      [["table", "history", "-h"], /Usage: controlroom table history URI/],
    ] as [string[], RegExp][]) {
      const { status, out } = await cli(argv);
      expect({ argv, status }).toEqual({ argv, status: 0 });
      expect(out.join("\n")).toMatch(usage);
    }
  });
});
