import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CONTRACT_VERSION,
  CONTRACT_VERSION_HEADER,
  type ErrorCode,
  problem,
} from "@controlroom/contract";
import { ControlRoomClient } from "@controlroom/sdk";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { defineExecutor } from "../src/definition/define-executor.js";
import { phase } from "../src/definition/phase.js";
import { runWorker } from "../src/worker/run-worker.js";

// A real HTTP server that answers every claim with 429 or 503 and `Retry-After: 1`,
// and counts the claims it receives.
async function busyServer(status: 429 | 503, code: ErrorCode) {
  const claims: number[] = [];
  const server: Server = createServer((request, response) => {
    if (request.url?.startsWith("/ops/claims")) claims.push(Date.now());
    request.resume();
    response.writeHead(status, {
      "content-type": "application/problem+json",
      "retry-after": "1",
      [CONTRACT_VERSION_HEADER]: CONTRACT_VERSION,
    });
    response.end(JSON.stringify(problem(code, "busy, come back later")));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    claims,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((r) => server.close(r)),
  };
}

const executor = defineExecutor({
  id: "busy",
  version: "1.0.0",
  phases: { noop: phase({ run: () => ({}) }) },
});

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe("runWorker under backpressure (real HTTP server, real SDK client)", () => {
  it.each([
    [429, "rate_limited"],
    [503, "unavailable"],
  ] as const)(
    "backs off on %i, honouring Retry-After, instead of hammering",
    async (status, code) => {
      const server = await busyServer(status, code);
      cleanups.push(server.close);
      const stop = new AbortController();
      const done = runWorker(executor, {
        client: new ControlRoomClient({ baseUrl: server.url, token: "test-token" }),
        logger: pino({ level: "silent" }),
        handleSignals: false,
        backoffInitialMs: 10,
        claimWaitMs: 0,
        signal: stop.signal,
      });
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      stop.abort();
      expect(await done).toMatchObject({ claimed: 0 });
      // With Retry-After: 1 s, about three claims fit in 2.5 s; a loop that ignored it
      // (10 ms backoff) would have sent dozens.
      expect(server.claims.length).toBeGreaterThanOrEqual(1);
      expect(server.claims.length).toBeLessThanOrEqual(5);
    },
  );
});
