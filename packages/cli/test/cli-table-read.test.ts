import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createDeltaTableFormat } from "@controlroom/adapters/delta";
import { createDuckDbEngine, writeQueryToTable } from "@controlroom/adapters/duckdb";
import { createLocalObjectStore } from "@controlroom/adapters/local";
import { createS3ObjectStore } from "@controlroom/adapters/s3";
import { afterAll, describe, expect, inject, it } from "vitest";

import { runCli } from "../src/index.js";
import { memoryIo, runCliProcess } from "./cli-harness.js";

// The S3 server comes from packages/adapters/test/global-setup-s3.ts (in the root
// vitest config); this package's tsconfig does not see that file's declaration.
declare module "vitest" {
  export interface ProvidedContext {
    controlroomS3:
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
  }
}

const BASIC_APPEND = join(
  import.meta.dirname,
  "../../../../shared/fixtures/delta/dat-v0.0.2/basic_append/delta",
);
const provenance = { run_id: "run_cli", phase: "test", git_sha: "0123abc" };
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function read(args: string[], env: Record<string, string | undefined> = {}) {
  const { io, out, err } = memoryIo(env);
  const status = await runCli(["table", "read", ...args], io);
  return { status, out, err };
}

describe("controlroom table read", () => {
  it("prints a fixture table as an aligned text table", async () => {
    const { status, out, err } = await read([BASIC_APPEND]);
    expect(status).toBe(0);
    expect(out).toEqual([
      "letter | number | a_float",
      "-------+--------+--------",
      "a      | 1      | 1.1",
      "b      | 2      | 2.2",
      "c      | 3      | 3.3",
      "d      | 4      | 4.4",
      "e      | 5      | 5.5",
    ]);
    expect(err).toEqual(["(5 rows, version 1)"]);
  });

  it("prints JSON lines, at a version or an instant, from a path or a file:// URI", async () => {
    const v0 = await read([
      pathToFileURL(BASIC_APPEND).href,
      "--format",
      "jsonl",
      "--version",
      "0",
    ]);
    expect(v0.status).toBe(0);
    expect(v0.out.map((line) => JSON.parse(line))).toEqual([
      { letter: "a", number: 1, a_float: 1.1 },
      { letter: "b", number: 2, a_float: 2.2 },
      { letter: "c", number: 3, a_float: 3.3 },
    ]);
    const beforeAll = await read([
      BASIC_APPEND,
      "--format",
      "jsonl",
      "--timestamp",
      "1970-01-01T00:00:00Z",
    ]);
    expect(beforeAll.status).toBe(1);
    const now = await read([
      BASIC_APPEND,
      "--format",
      "jsonl",
      "--timestamp",
      new Date().toISOString(),
    ]);
    expect(now.out).toHaveLength(5);
  });

  it("keeps values exact in JSON: big integers and wide decimals as strings, microseconds, base64", async () => {
    const root = await mkdtemp(join(tmpdir(), "controlroom-cli-table-"));
    dirs.push(root);
    const store = createLocalObjectStore({ root });
    const engine = createDuckDbEngine();
    await writeQueryToTable(
      engine,
      `SELECT 9007199254740993::BIGINT AS big, 42::BIGINT AS small,
         '12345678901234567.89'::DECIMAL(20,2) AS wide, '12.50'::DECIMAL(10,2) AS money,
         TIMESTAMPTZ '2024-01-02 03:04:05.123456+00' AS at, DATE '2024-02-29' AS day,
         from_hex('CAFE') AS bytes, NULL::VARCHAR AS nothing, [1, 2]::BIGINT[] AS list`,
      createDeltaTableFormat({ store }),
      { location: "values" },
      { store, mode: "append", provenance },
    );
    await engine.close();
    const { status, out } = await read([join(root, "values"), "--format", "jsonl"]);
    expect(status).toBe(0);
    expect(out).toEqual([
      JSON.stringify({
        big: "9007199254740993",
        small: 42,
        wide: "12345678901234567.89",
        money: 12.5,
        at: "2024-01-02T03:04:05.123456Z",
        day: "2024-02-29",
        bytes: "yv4=",
        nothing: null,
        list: [1, 2],
      }),
    ]);
  });

  it("fails with the reason on something that is not a table, and on bad flags", async () => {
    const empty = await mkdtemp(join(tmpdir(), "controlroom-cli-empty-"));
    dirs.push(empty);
    const notTable = await read([empty]);
    expect(notTable.status).toBe(1);
    expect(notTable.err.join("\n")).toMatch(/no Delta table at/);
    const both = await read([
      BASIC_APPEND,
      "--version",
      "0",
      "--timestamp",
      "2024-01-01T00:00:00Z",
    ]);
    expect(both.status).toBe(2);
    expect((await read([BASIC_APPEND, "--format", "csv"])).status).toBe(2);
    expect((await read([BASIC_APPEND, "--version", "99"])).status).toBe(1);
    expect((await read(["ftp://host/table"])).status).toBe(2);
  });

  const s3 = inject("controlroomS3");
  it.skipIf(s3?.status === "skipped")(
    "reads a table in S3 with credentials from the AWS variables",
    async () => {
      if (s3?.status !== "ready")
        throw new Error(s3?.status === "missing" ? s3.message : "no S3 test server");
      const prefix = `cli-${crypto.randomUUID()}`;
      const credentials = { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
      const store = createS3ObjectStore({
        bucket: s3.bucket,
        clientConfig: { endpoint: s3.endpoint, region: s3.region, credentials },
      });
      const engine = createDuckDbEngine();
      const tables = createDeltaTableFormat({ store });
      const write = (sql: string) =>
        writeQueryToTable(
          engine,
          sql,
          tables,
          { location: `${prefix}/orders` },
          {
            store,
            mode: "append",
            provenance,
            partitionColumns: ["region"],
          },
        );
      await write("SELECT 1 AS id, 'eu' AS region");
      await write("SELECT 2 AS id, 'us' AS region");
      await engine.close();
      await store.close();
      // The real binary, as a user runs it: env handling and exit status included.
      const result = await runCliProcess(
        ["table", "read", `s3://${s3.bucket}/${prefix}/orders`, "--format", "jsonl"],
        {
          AWS_ACCESS_KEY_ID: s3.accessKeyId,
          AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
          AWS_ENDPOINT_URL: s3.endpoint,
          AWS_REGION: s3.region,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        },
      );
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      const rows = result.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
      expect(rows.sort((a, b) => a.id - b.id)).toEqual([
        { id: 1, region: "eu" },
        { id: 2, region: "us" },
      ]);
      const missing = await runCliProcess(
        ["table", "read", `s3://${s3.bucket}/${prefix}/nothing`],
        {
          AWS_ACCESS_KEY_ID: s3.accessKeyId,
          AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
          AWS_ENDPOINT_URL: s3.endpoint,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        },
      );
      expect(missing.status).toBe(1);
      expect(missing.stderr).toMatch(/no Delta table at s3:\/\//);
    },
  );
});
