import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type RunningControlPlane, startControlPlane } from "@controlroom/control-plane";
import { ControlRoomClient } from "@controlroom/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The Python client generated from the contract's OpenAPI document by
// openapi-python-client drives one run to completion against a real control plane.
// The client is generated here, from the committed openapi.json, into a temporary
// directory, the same way `pnpm generate:clients` makes clients/python/. In CI python3
// and the generator must be there (scripts/ci/install-python-packages.sh installs the
// pinned version); locally the suite is skipped, saying why, when they are not.
const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const available = await run("python3", ["-c", "import openapi_python_client"]).then(
  () => true,
  () => false,
);
const inCi = process.env.CI === "true" || process.env.CI === "1";
const MISSING =
  "python3 -c 'import openapi_python_client' failed: run bash scripts/ci/install-python-packages.sh";
if (!available && !inCi) console.warn(`python-client: skipping: ${MISSING}`);

let cp: RunningControlPlane;
let token: string;
let out: string;

describe.skipIf(!available && !inCi)(
  `the generated Python client${available ? "" : ` (skipped: ${MISSING})`}`,
  () => {
    beforeAll(async () => {
      cp = await startControlPlane({ port: 0 });
      token = await cp.issueToken({ tenant_id: "python", role: "admin", sub: "python-worker" });
      out = await mkdtemp(join(tmpdir(), "controlroom-python-client-"));
      if (available) {
        await run("node", [join(ROOT, "scripts/generate-python-client.mjs"), out], { cwd: ROOT });
      }
    });
    afterAll(async () => {
      await cp?.close();
      if (out) await rm(out, { recursive: true, force: true });
    });

    it("has python3 and openapi-python-client (required in CI)", () => {
      expect(available, MISSING).toBe(true);
    });

    it("creates, claims, heartbeats, completes and reads back a run that succeeded", async () => {
      const result = await run("python3", [join(ROOT, "clients/python-test/drive_run.py")], {
        cwd: ROOT,
        env: {
          ...process.env,
          PYTHONPATH: out,
          CONTROLROOM_URL: cp.url,
          CONTROLROOM_TOKEN: token,
        },
      }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code?: number; stdout?: string; stderr?: string }) => ({
          code: error.code ?? -1,
          stdout: error.stdout ?? "",
          stderr: error.stderr ?? "",
        }),
      );
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
      const steps = result.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(steps.map((s) => s.step)).toEqual([
        "created",
        "claimed",
        "heartbeat",
        "events",
        "completed",
        "run",
      ]);
      const [created, claimed, beat, events, completed, final] = steps;
      expect(created).toMatchObject({ status: "queued" });
      expect(claimed).toMatchObject({ phase: "extract", attempt: 1 });
      expect(beat).toMatchObject({ cancel_requested: false });
      expect(events).toMatchObject({ accepted: 1 });
      expect(completed).toMatchObject({ status: "succeeded" });
      expect(final).toMatchObject({
        run_id: created!.run_id,
        status: "succeeded",
        phases: { extract: "succeeded" },
      });

      // What the server recorded, read with the TypeScript SDK.
      const sdk = new ControlRoomClient({ baseUrl: cp.url, token });
      const runId = created!.run_id as string;
      expect((await sdk.runs.get(runId)).labels).toEqual({ client: "openapi-python-client" });
      const { items } = await sdk.events.list(runId);
      expect(items.map((event) => event.type)).toEqual(
        expect.arrayContaining(["RUN_CREATED", "PHASE_PROGRESS", "RUN_SUCCEEDED"]),
      );
    });
  },
);
