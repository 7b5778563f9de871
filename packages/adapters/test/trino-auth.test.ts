import { createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { createTrinoEngine, type TrinoEngineOptions } from "../src/trino/index.js";
import {
  TRINO_START_TIMEOUT_MS,
  type TrinoTestServer,
  trinoSkipReason,
  trinoTestServer,
} from "./trino-test-server.js";

// The test server's HTTPS port (a self-signed certificate) takes a password from its
// password file or a JWT signed with its HMAC key; both are made per server by start.sh.
const skip = trinoSkipReason();

function jwt(key: Buffer, claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const body = `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}`;
  return `${body}.${createHmac("sha256", key).update(body).digest("base64url")}`;
}

describe.skipIf(skip !== undefined)(
  `Trino auth and TLS${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    let server: TrinoTestServer;
    let ca: string;
    let key: Buffer;
    beforeAll(async () => {
      server = await trinoTestServer();
      ca = await readFile(server.caFile, "utf8");
      key = Buffer.from((await readFile(server.jwtKeyFile, "utf8")).trim(), "base64");
    }, TRINO_START_TIMEOUT_MS);

    async function currentUser(options: Omit<TrinoEngineOptions, "server">) {
      const engine = createTrinoEngine({ server: server.httpsUrl, tls: { ca }, ...options });
      try {
        return (await engine.query<{ u: string }>("SELECT current_user AS u")).rows[0]?.u;
      } finally {
        await engine.close();
      }
    }

    it("authenticates with basic auth over TLS", async () => {
      expect(
        await currentUser({
          auth: { type: "basic", user: server.user, password: server.password },
        }),
      ).toBe(server.user);
    });

    it("authenticates with a bearer token, taking the user from the token", async () => {
      const token = jwt(key, { sub: "jwt-user", exp: Math.floor(Date.now() / 1000) + 600 });
      expect(await currentUser({ auth: { type: "bearer", token } })).toBe("jwt-user");
    });

    it("maps refused credentials to TRINO_AUTHENTICATION_FAILED with the status", async () => {
      await expect(
        currentUser({ auth: { type: "basic", user: server.user, password: "wrong" } }),
      ).rejects.toMatchObject({ code: "TRINO_AUTHENTICATION_FAILED", status: 401 });
      const forged = jwt(Buffer.from("not the key"), { sub: "mallory" });
      await expect(currentUser({ auth: { type: "bearer", token: forged } })).rejects.toMatchObject({
        code: "TRINO_AUTHENTICATION_FAILED",
        status: 401,
      });
      await expect(currentUser({})).rejects.toMatchObject({
        code: "TRINO_AUTHENTICATION_FAILED",
        status: 401,
      });
    });

    it("refuses a server certificate it does not trust, unless told not to check", async () => {
      const auth = { type: "basic", user: server.user, password: server.password } as const;
      const untrusted = createTrinoEngine({ server: server.httpsUrl, auth });
      await expect(untrusted.query("SELECT 1")).rejects.toMatchObject({
        code: "TRINO_CONNECTION_FAILED",
        message: expect.stringMatching(/self[- ]signed certificate/),
      });
      const unchecked = createTrinoEngine({
        server: server.httpsUrl,
        auth,
        tls: { rejectUnauthorized: false },
      });
      expect((await unchecked.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    });

    it("is refused credentials over plain HTTP by the server", async () => {
      const engine = createTrinoEngine({
        server: server.url,
        auth: { type: "basic", user: server.user, password: server.password },
      });
      await expect(engine.query("SELECT 1")).rejects.toMatchObject({
        code: "TRINO_AUTHENTICATION_FAILED",
        message: expect.stringMatching(/Password not allowed for insecure authentication/),
      });
    });
  },
);
