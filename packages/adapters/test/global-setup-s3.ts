import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";

/** Where the S3 suites find their server, or why they cannot run. */
export type S3TestServer =
  | {
      status: "ready";
      endpoint: string;
      region: string;
      accessKeyId: string;
      secretAccessKey: string;
      bucket: string;
    }
  | { status: "skipped" }
  | { status: "missing"; message: string };

declare module "vitest" {
  export interface ProvidedContext {
    /** The S3-compatible server the S3 suites run against (see global-setup-s3.ts). */
    controlroomS3: S3TestServer;
  }
}

const run = promisify(execFile);
const SCRIPT = join(
  dirname(fileURLToPath(import.meta.url)),
  "../../../scripts/services/s3-server.sh",
);

/**
 * vitest globalSetup: provides an S3-compatible server to the S3 suites. Uses
 * CONTROLROOM_TEST_S3_ENDPOINT (and its siblings) when set; otherwise starts MinIO
 * with scripts/services/s3-server.sh in a state directory of its own and stops it at
 * teardown. When MinIO is not installed the S3 suites fail and say how to install it,
 * unless CONTROLROOM_SKIP_S3=1 asks to skip them.
 */
export default async function setup(
  project: TestProject,
): Promise<(() => Promise<void>) | undefined> {
  // The AWS SDK warns once per process that it will drop Node 20 in 2027; test
  // workers inherit this and stay quiet.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  if (process.env.CONTROLROOM_SKIP_S3 === "1") {
    project.provide("controlroomS3", { status: "skipped" });
    return undefined;
  }
  if (process.env.CONTROLROOM_TEST_S3_ENDPOINT) {
    project.provide("controlroomS3", fromEnv(process.env));
    return undefined;
  }
  try {
    await run(SCRIPT, ["path"]);
  } catch {
    project.provide("controlroomS3", {
      status: "missing",
      message:
        "the S3 test server (MinIO) is not installed: run scripts/services/s3-server.sh install " +
        "(or set CONTROLROOM_TEST_S3_ENDPOINT, or CONTROLROOM_SKIP_S3=1 to skip the S3 suites)",
    });
    return undefined;
  }
  // A state directory per vitest run, so that parallel runs never share or stop each
  // other's server.
  const stateDir = await mkdtemp(join(tmpdir(), "controlroom-s3-"));
  const env = { ...process.env, CONTROLROOM_S3_STATE_DIR: stateDir };
  let stdout: string;
  try {
    ({ stdout } = await run(SCRIPT, ["start"], { env }));
  } catch (error) {
    // Fail the S3 suites with the reason, not every suite of the run.
    await rm(stateDir, { recursive: true, force: true });
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    project.provide("controlroomS3", {
      status: "missing",
      message: `the S3 test server did not start: ${detail}`,
    });
    return undefined;
  }
  project.provide("controlroomS3", fromEnv(parseEnvLines(stdout)));
  return async () => {
    await run(SCRIPT, ["stop"], { env }).catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  };
}

function parseEnvLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const at = line.indexOf("=");
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return out;
}

function fromEnv(env: Record<string, string | undefined>): S3TestServer {
  return {
    status: "ready",
    endpoint: env.CONTROLROOM_TEST_S3_ENDPOINT ?? "",
    region: env.CONTROLROOM_TEST_S3_REGION ?? "us-east-1",
    accessKeyId: env.CONTROLROOM_TEST_S3_ACCESS_KEY_ID ?? "controlroom",
    secretAccessKey: env.CONTROLROOM_TEST_S3_SECRET_ACCESS_KEY ?? "controlroom-test-secret",
    bucket: env.CONTROLROOM_TEST_S3_BUCKET ?? "controlroom-test",
  };
}
