import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { inject } from "vitest";

/**
 * How the Trino suites get their server: what this repository's vitest globalSetup
 * (packages/adapters/test/global-setup-trino.ts) provides as `controlroomTrino`.
 */
export type TrinoTestSetup =
  /** Installed: the first suite that needs it starts it with these settings. */
  | {
      status: "startable";
      stateDir: string;
      /** The env start.sh reads: the S3 server and Postgres of this test run. */
      env: Record<string, string>;
    }
  /** Already running: CONTROLROOM_TEST_TRINO_URL and its siblings. */
  | { status: "external"; env: Record<string, string> }
  /** Cannot run here; `message` names the missing piece. */
  | { status: "missing"; message: string }
  /** CONTROLROOM_SKIP_TRINO=1. */
  | { status: "skipped" };

declare module "vitest" {
  export interface ProvidedContext {
    /** The Trino server the Trino suites run against (see global-setup-trino.ts). */
    controlroomTrino: TrinoTestSetup;
  }
}

/** A running test server, from the lines scripts/ci/trino/start.sh prints. */
export interface TrinoTestServer {
  /** Plain HTTP: the user comes from X-Trino-User, no credentials. */
  url: string;
  /** HTTPS with a self-signed certificate: a password or a JWT is required. */
  httpsUrl: string;
  /** The certificate to trust for `httpsUrl` (PEM file). */
  caFile: string;
  user: string;
  password: string;
  /** The base64 HMAC key Trino verifies JWTs with. */
  jwtKeyFile: string;
  /** The bucket the delta and iceberg catalogs read (the S3 suites' bucket). */
  bucket: string;
  /**
   * The S3-compatible server the catalogs read, so that a suite writes tables where
   * Trino finds them (empty when start.sh did not say).
   */
  s3: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
  /** Whether the iceberg catalog exists (it needs the test Postgres). */
  iceberg: boolean;
  /**
   * The Postgres URL of the database holding the iceberg catalog's JDBC catalog
   * (catalog name `controlroom`), so our writer can register tables Trino sees; empty
   * without the iceberg catalog.
   */
  icebergCatalogUrl: string;
  version: string;
}

/** How long a suite waits for Trino to start: a cold start on a busy machine is slow. */
export const TRINO_START_TIMEOUT_MS = 300_000;

const run = promisify(execFile);
// The same depth from src/testing and dist/testing: the repository's scripts. Outside
// this repository, run a server yourself and set CONTROLROOM_TEST_TRINO_URL.
const START = join(
  dirname(fileURLToPath(import.meta.url)),
  "../../../../scripts/ci/trino/start.sh",
);
let starting: Promise<TrinoTestServer> | undefined;

/**
 * Why the Trino suites cannot run, or `undefined` when they can: skip with it. In CI
 * (CI=true) a missing Java or server is an error instead, so that CI never passes by
 * skipping; CONTROLROOM_SKIP_TRINO=1 skips there too.
 *
 * @example
 * ```ts
 * const skip = trinoSkipReason();
 * describe.skipIf(skip !== undefined)("on Trino", () => {});
 * ```
 */
export function trinoSkipReason(): string | undefined {
  const setup = inject("controlroomTrino");
  if (setup === undefined) {
    throw new Error(
      "no Trino setup: add packages/adapters/test/global-setup-trino.ts to vitest's globalSetup",
    );
  }
  if (setup.status === "skipped") return "CONTROLROOM_SKIP_TRINO=1";
  if (setup.status !== "missing") return undefined;
  if (process.env.CI === "true") throw new Error(`Trino suites cannot run: ${setup.message}`);
  console.warn(`skipping the Trino suites: ${setup.message}`);
  return setup.message;
}

/**
 * The test run's Trino server, started on first use (once per run: start.sh makes
 * concurrent callers share one server). Call it in `beforeAll` with
 * {@link TRINO_START_TIMEOUT_MS}.
 *
 * @example
 * ```ts
 * beforeAll(async () => { server = await trinoTestServer(); }, TRINO_START_TIMEOUT_MS);
 * ```
 */
export function trinoTestServer(): Promise<TrinoTestServer> {
  starting ??= start();
  return starting;
}

async function start(): Promise<TrinoTestServer> {
  const setup = inject("controlroomTrino");
  if (setup.status === "external") return fromEnv(setup.env);
  if (setup.status !== "startable")
    throw new Error(`Trino is not startable here (${setup.status})`);
  try {
    const { stdout } = await run(START, [], {
      env: { ...process.env, ...setup.env, CONTROLROOM_TRINO_STATE_DIR: setup.stateDir },
      timeout: TRINO_START_TIMEOUT_MS,
    });
    return fromEnv(parseEnvLines(stdout));
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new Error(`the test Trino server did not start: ${detail}`);
  }
}

function parseEnvLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const at = line.indexOf("=");
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return out;
}

function fromEnv(env: Record<string, string | undefined>): TrinoTestServer {
  const url = env.CONTROLROOM_TEST_TRINO_URL;
  if (!url) throw new Error("CONTROLROOM_TEST_TRINO_URL is not set");
  return {
    url,
    httpsUrl: env.CONTROLROOM_TEST_TRINO_HTTPS_URL ?? "",
    caFile: env.CONTROLROOM_TEST_TRINO_CA_FILE ?? "",
    user: env.CONTROLROOM_TEST_TRINO_USER ?? "controlroom",
    password: env.CONTROLROOM_TEST_TRINO_PASSWORD ?? "",
    jwtKeyFile: env.CONTROLROOM_TEST_TRINO_JWT_KEY_FILE ?? "",
    bucket: env.CONTROLROOM_TEST_TRINO_S3_BUCKET ?? "controlroom-test",
    s3: {
      endpoint: env.CONTROLROOM_TEST_TRINO_S3_ENDPOINT ?? "",
      region: env.CONTROLROOM_TEST_TRINO_S3_REGION ?? "us-east-1",
      accessKeyId: env.CONTROLROOM_TEST_TRINO_S3_ACCESS_KEY_ID ?? "",
      secretAccessKey: env.CONTROLROOM_TEST_TRINO_S3_SECRET_ACCESS_KEY ?? "",
    },
    iceberg: env.CONTROLROOM_TEST_TRINO_ICEBERG === "1",
    icebergCatalogUrl: env.CONTROLROOM_TEST_TRINO_ICEBERG_CATALOG_URL ?? "",
    version: env.CONTROLROOM_TEST_TRINO_VERSION ?? "",
  };
}
