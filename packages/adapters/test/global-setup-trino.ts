import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";

const run = promisify(execFile);
const SCRIPTS = join(dirname(fileURLToPath(import.meta.url)), "../../../scripts/ci/trino");

/**
 * vitest globalSetup for the Trino suites (what it provides: `TrinoTestSetup` in
 * src/testing/trino-test-server.ts). Starting Trino takes half a minute or more,
 * so this only checks that it can start (Java 25 and the installed server) and picks a
 * state directory; the first Trino suite starts it (scripts/ci/trino/start.sh, which
 * lets concurrent callers share one server), and teardown stops it. So a run without
 * Trino suites never pays for it. Needs the S3 server and Postgres of the run: list it
 * after global-setup-s3.ts and the control-plane setup. CONTROLROOM_TEST_TRINO_URL
 * (with the other CONTROLROOM_TEST_TRINO_* lines start.sh prints) uses a running server.
 */
export default async function setup(
  project: TestProject,
): Promise<(() => Promise<void>) | undefined> {
  if (process.env.CONTROLROOM_SKIP_TRINO === "1") {
    project.provide("controlroomTrino", { status: "skipped" });
    return undefined;
  }
  if (process.env.CONTROLROOM_TEST_TRINO_URL) {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        (entry): entry is [string, string] =>
          entry[0].startsWith("CONTROLROOM_TEST_TRINO_") && entry[1] !== undefined,
      ),
    );
    project.provide("controlroomTrino", { status: "external", env });
    return undefined;
  }
  try {
    await run(join(SCRIPTS, "install.sh"), ["--check"]);
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim().replace(/^trino: /, "");
    project.provide("controlroomTrino", {
      status: "missing",
      message: `${detail || (error as Error).message}; or set CONTROLROOM_SKIP_TRINO=1`,
    });
    return undefined;
  }
  const provided = project.getProvidedContext();
  const s3 = provided.controlroomS3;
  if (s3?.status !== "ready") {
    project.provide("controlroomTrino", {
      status: "missing",
      message:
        "Trino's catalogs need the S3 test server, which this run does not have" +
        (s3?.status === "missing" ? ` (${s3.message})` : " (CONTROLROOM_SKIP_S3=1)"),
    });
    return undefined;
  }
  const env: Record<string, string> = {
    CONTROLROOM_TEST_S3_ENDPOINT: s3.endpoint,
    CONTROLROOM_TEST_S3_REGION: s3.region,
    CONTROLROOM_TEST_S3_ACCESS_KEY_ID: s3.accessKeyId,
    CONTROLROOM_TEST_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    CONTROLROOM_TEST_S3_BUCKET: s3.bucket,
  };
  // Without Postgres, Trino starts without its iceberg catalog.
  if (provided.controlroomPostgresUrl) {
    env.CONTROLROOM_TEST_DATABASE_URL = provided.controlroomPostgresUrl;
  }
  // A state directory per vitest run: parallel runs never share or stop each other's server.
  const stateDir = await mkdtemp(join(tmpdir(), "controlroom-trino-"));
  project.provide("controlroomTrino", { status: "startable", stateDir, env });
  return async () => {
    await run(join(SCRIPTS, "stop.sh"), [], {
      env: { ...process.env, CONTROLROOM_TRINO_STATE_DIR: stateDir },
    }).catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  };
}
