import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifyToken } from "@controlroom/control-plane";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/index.js";
import { memoryIo } from "./cli-harness.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "controlroom-cli-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("bad calls exit 2 with a message and the usage", () => {
  const cases: [string[], RegExp][] = [
    [[], /Usage: controlroom <command>/],
    [["launch"], /unknown command "launch"/],
    [["serve", "--port", "http"], /--port must be a number/],
    [["serve", "--port", "70000"], /--port must be a number/],
    [["serve", "--bogus"], /Unknown option '--bogus'/],
    [["serve", "--port"], /argument missing/],
    [["serve", "extra"], /Unexpected argument 'extra'/],
    [["serve", "--data-dir", "a", "--database-url", "postgres://x/y"], /not both/],
    [["serve", "--database-url", "mysql://x/y"], /postgres:\/\//],
    [["token", "--role", "admin"], /--tenant is required/],
    [["token", "--tenant", "acme"], /--role is required/],
    [["token", "--tenant", "acme", "--role", "root"], /--role must be one of viewer, executor/],
    [["token", "--tenant", "acme", "--role", "admin", "--expires-in", "soon"], /--expires-in/],
    [["token", "--tenant", "acme", "--role", "admin", "--expires-in", "-5d"], /--expires-in/],
    [["demo", "--lineage-file", "a.jsonl", "--lineage-url", "http://x/"], /not both/],
    [["demo", "--lineage-url", "ftp://lineage.example/"], /--lineage-url must be an http/],
    [["demo", "--table-format", "hudi"], /--table-format must be delta or iceberg/],
    [["demo", "--table-format"], /argument missing/],
  ];
  it.each(cases)("controlroom %j", async (argv, message) => {
    const { io, out, err } = memoryIo({}, dir);
    expect(await runCli(argv, io)).toBe(2);
    expect(err.join("\n")).toMatch(message);
    expect(err.join("\n")).toMatch(/Usage: controlroom/);
    expect(out).toEqual([]);
  });

  it("--help prints the usage to stdout and exits 0", async () => {
    for (const argv of [["--help"], ["serve", "--help"], ["token", "-h"]]) {
      const { io, out } = memoryIo({}, dir);
      expect(await runCli(argv, io)).toBe(0);
      expect(out.join("\n")).toMatch(/Usage: controlroom/);
    }
  });

  it("demo --help names the table formats", async () => {
    const { io, out } = memoryIo({}, dir);
    expect(await runCli(["demo", "--help"], io)).toBe(0);
    expect(out.join("\n")).toMatch(/--table-format delta\|iceberg/);
  });
});

describe("controlroom token", () => {
  it("signs with CONTROLROOM_JWT_SECRET and prints only the token", async () => {
    const secret = "a-secret-from-the-environment";
    const { io, out, err } = memoryIo({ CONTROLROOM_JWT_SECRET: secret }, dir);
    const status = await runCli(
      [
        "token",
        "--tenant",
        "acme",
        "--role",
        "executor",
        "--sub",
        "worker-7",
        "--expires-in",
        "2h",
      ],
      io,
    );
    expect({ status, err }).toEqual({ status: 0, err: [] });
    expect(out).toHaveLength(1);
    const claims = await verifyToken(new TextEncoder().encode(secret), out[0]!);
    expect(claims).toEqual({ sub: "worker-7", tenant_id: "acme", role: "executor" });
    const payload = JSON.parse(Buffer.from(out[0]!.split(".")[1]!, "base64url").toString()) as {
      iat: number;
      exp: number;
    };
    expect(payload.exp - payload.iat).toBe(2 * 3_600);
  });

  it("falls back to the data directory's secret", async () => {
    const dataDir = join(dir, "with-secret");
    await rm(dataDir, { recursive: true, force: true });
    await import("node:fs/promises").then((fs) => fs.mkdir(dataDir, { recursive: true }));
    await writeFile(join(dataDir, "jwt-secret"), "secret-on-disk\n");
    const { io, out } = memoryIo({}, dir);
    expect(
      await runCli(["token", "--tenant", "t", "--role", "viewer", "--data-dir", "with-secret"], io),
    ).toBe(0);
    await expect(
      verifyToken(new TextEncoder().encode("secret-on-disk"), out[0]!),
    ).resolves.toMatchObject({ tenant_id: "t", role: "viewer" });
  });

  it("exits 1 with a clear message when there is no secret anywhere", async () => {
    const { io, out, err } = memoryIo({}, dir);
    expect(
      await runCli(["token", "--tenant", "t", "--role", "viewer", "--data-dir", "empty"], io),
    ).toBe(1);
    expect(out).toEqual([]);
    expect(err.join("\n")).toMatch(/no JWT secret: set CONTROLROOM_JWT_SECRET/);
  });

  it("serve on Postgres without a secret exits 1 and says why", async () => {
    const { io, err } = memoryIo({ DATABASE_URL: "postgres://127.0.0.1:1/none" }, dir);
    expect(await runCli(["serve", "--port", "0"], io)).toBe(1);
    expect(err.join("\n")).toMatch(/CONTROLROOM_JWT_SECRET/);
  });
});
