import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ControlRoomClient } from "../src/index.js";
import { AttemptAbort } from "../src/internal/attempt-abort.js";
import { RUN_ID, runBody } from "./msw-server.js";

// A real socket rather than msw: these tests are about what goes over the wire.
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = (_req, res) => res.end();
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const json = (body: unknown) => (res: ServerResponse) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

describe("requests through node:http", () => {
  it("keep the base URL's path prefix and its user info", async () => {
    const seen: { url: string | undefined; authorization: string | undefined }[] = [];
    handler = (req, res) => {
      seen.push({ url: req.url, authorization: req.headers.authorization });
      json(runBody)(res);
    };
    const client = new ControlRoomClient({
      baseUrl: `http://user:p%40ss@127.0.0.1:${port}/control/`,
    });
    await expect(client.runs.get(RUN_ID)).resolves.toMatchObject({ run_id: RUN_ID });
    await client.runs.get(RUN_ID);
    expect(seen).toEqual([
      {
        url: `/control/ops/runs/${RUN_ID}`,
        authorization: `Basic ${Buffer.from("user:p@ss").toString("base64")}`,
      },
      {
        url: `/control/ops/runs/${RUN_ID}`,
        authorization: `Basic ${Buffer.from("user:p@ss").toString("base64")}`,
      },
    ]);
  });

  it("decode a character split between two chunks of the body", async () => {
    const text = JSON.stringify({ ...runBody, labels: { note: "€ and 😀 across chunks" } });
    const bytes = Buffer.from(text);
    // Cut inside the three bytes of "€".
    const cut = bytes.indexOf(Buffer.from("€")) + 1;
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write(bytes.subarray(0, cut));
      setTimeout(() => res.end(bytes.subarray(cut)), 50);
    };
    const client = new ControlRoomClient({ baseUrl: `http://127.0.0.1:${port}` });
    const run = await client.runs.get(RUN_ID);
    expect(run.labels).toEqual({ note: "€ and 😀 across chunks" });
  });

  it("make no AbortController for a call that completes without a signal", async () => {
    handler = (_req, res) => json(runBody)(res);
    const client = new ControlRoomClient({ baseUrl: `http://127.0.0.1:${port}` });
    await client.runs.get(RUN_ID); // loads node:http first
    const spy = vi.spyOn(globalThis, "AbortController");
    try {
      await client.runs.get(RUN_ID);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});

describe("AttemptAbort", () => {
  it("aborts once, telling its listener and a signal made before or after", () => {
    const abort = new AttemptAbort();
    const early = abort.signal;
    const heard: unknown[] = [];
    abort.onAbort((reason) => heard.push(reason));
    abort.abort("first");
    abort.abort("second");
    expect(heard).toEqual(["first"]);
    expect(abort.aborted).toBe(true);
    expect(abort.reason).toBe("first");
    expect(early.reason).toBe("first");
    expect(abort.signal.aborted).toBe(true);
    expect(() => abort.throwIfAborted()).toThrow("first");
  });

  it("tells no listener that was removed", () => {
    const abort = new AttemptAbort();
    const listener = vi.fn();
    abort.onAbort(listener);
    abort.onAbort(undefined);
    abort.abort(new Error("late"));
    expect(listener).not.toHaveBeenCalled();
    expect(() => abort.throwIfAborted()).toThrow("late");
  });
});
