import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createOpenLineageEmitter, isOpenLineageEmitter } from "./openlineage-emitter.js";
import { OPENLINEAGE_RUN_EVENT_SCHEMA_URL, type OpenLineageRunEvent } from "./openlineage-event.js";

function event(name: string): OpenLineageRunEvent {
  return {
    eventType: "START",
    eventTime: new Date().toISOString(),
    producer: "https://controlroom.dev/test",
    schemaURL: OPENLINEAGE_RUN_EVENT_SCHEMA_URL,
    run: { runId: crypto.randomUUID() },
    job: { namespace: "controlroom", name },
    inputs: [],
    outputs: [],
  };
}

function recordingLogger() {
  const lines: { fields: Record<string, unknown>; message: string }[] = [];
  return {
    lines,
    warn: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }),
  };
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("createOpenLineageEmitter", () => {
  it("sends events in order through a function, with defaults", async () => {
    const seen: string[] = [];
    const emitter = createOpenLineageEmitter({
      transport: async (e) => {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
        seen.push(e.job.name);
      },
    });
    expect(isOpenLineageEmitter(emitter)).toBe(true);
    expect(emitter.namespace).toBe("controlroom");
    expect(emitter.producer).toMatch(/^https:\/\/controlroom\.dev\/executor-kit\//);
    expect(emitter.runningIntervalMs).toBe(10_000);
    for (const name of ["a", "b", "c", "d"]) emitter.emit(event(name));
    // emit() never sends inline: the caller goes on at once.
    expect(seen).toEqual([]);
    expect(await emitter.flush()).toBe(true);
    expect(seen).toEqual(["a", "b", "c", "d"]);
    expect(emitter.stats()).toEqual({ emitted: 4, sent: 4, failed: 0, dropped: 0, pending: 0 });
    await emitter.close();
    emitter.emit(event("late"));
    expect(emitter.stats().dropped).toBe(1);
  });

  it("logs and counts failed sends without throwing, at most one line per interval", async () => {
    const logger = recordingLogger();
    const emitter = createOpenLineageEmitter({
      transport: () => {
        throw new Error("endpoint down");
      },
      logger,
    });
    expect(() => {
      for (let i = 0; i < 5; i++) emitter.emit(event(`e${i}`));
    }).not.toThrow();
    await emitter.close();
    expect(emitter.stats()).toMatchObject({ emitted: 5, sent: 0, failed: 5, pending: 0 });
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]?.fields.err).toBe("endpoint down");
  });

  it("keeps its queue bounded, dropping the oldest events", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const seen: string[] = [];
    const emitter = createOpenLineageEmitter({
      transport: async (e) => {
        await gate;
        seen.push(e.job.name);
      },
      maxQueue: 2,
      logger: recordingLogger(),
    });
    emitter.emit(event("first"));
    await new Promise((resolve) => setTimeout(resolve, 5)); // "first" is in flight
    for (const name of ["a", "b", "c", "d"]) emitter.emit(event(name));
    expect(emitter.stats()).toMatchObject({ dropped: 2, pending: 3 });
    release();
    await emitter.flush();
    expect(seen).toEqual(["first", "c", "d"]);
  });

  it("gives up on a hanging transport when closing, after closeTimeoutMs", async () => {
    const emitter = createOpenLineageEmitter({
      transport: (_e, { signal }) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason)),
        ),
      closeTimeoutMs: 50,
      logger: recordingLogger(),
    });
    emitter.emit(event("stuck"));
    emitter.emit(event("queued"));
    const started = Date.now();
    await emitter.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(emitter.stats()).toMatchObject({ sent: 0, failed: 0, dropped: 2, pending: 0 });
  });

  it("appends JSON lines to a file, creating its directory", async () => {
    const dir = await mkdtemp(join(tmpdir(), "openlineage-file-"));
    dirs.push(dir);
    const path = join(dir, "nested", "lineage.jsonl");
    const emitter = createOpenLineageEmitter({ transport: { type: "file", path } });
    emitter.emit(event("one"));
    emitter.emit(event("two"));
    await emitter.close();
    const lines = (await readFile(path, "utf8")).trimEnd().split("\n");
    expect(lines.map((line) => (JSON.parse(line) as OpenLineageRunEvent).job.name)).toEqual([
      "one",
      "two",
    ]);
    // A second emitter appends.
    const again = createOpenLineageEmitter({ transport: { type: "file", path } });
    again.emit(event("three"));
    await again.close();
    expect((await readFile(path, "utf8")).trimEnd().split("\n")).toHaveLength(3);
  });

  it("POSTs each event as JSON with the given headers, counting non-2xx answers as failed", async () => {
    const received: { body: OpenLineageRunEvent; headers: IncomingHttpHeaders }[] = [];
    let status = 201;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        received.push({
          body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as OpenLineageRunEvent,
          headers: request.headers,
        });
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const logger = recordingLogger();
      const emitter = createOpenLineageEmitter({
        transport: {
          type: "http",
          url: `http://127.0.0.1:${port}/api/v1/lineage`,
          headers: { authorization: "Bearer lineage-token" },
        },
        logger,
      });
      emitter.emit(event("ok"));
      await emitter.flush();
      status = 500;
      emitter.emit(event("refused"));
      await emitter.close();
      expect(received.map((r) => r.body.job.name)).toEqual(["ok", "refused"]);
      expect(received[0]?.headers["content-type"]).toBe("application/json");
      expect(received[0]?.headers.authorization).toBe("Bearer lineage-token");
      expect(emitter.stats()).toMatchObject({ sent: 1, failed: 1 });
      expect(String(logger.lines[0]?.fields.err)).toContain("500");
      // Headers may hold credentials: they are never logged.
      expect(JSON.stringify(logger.lines)).not.toContain("lineage-token");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("times out a slow endpoint and rejects bad options up front", async () => {
    const server = createServer(() => {
      // Never answers.
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const emitter = createOpenLineageEmitter({
        transport: { type: "http", url: `http://127.0.0.1:${port}/`, timeoutMs: 50 },
        logger: recordingLogger(),
      });
      emitter.emit(event("slow"));
      await emitter.flush(5_000);
      expect(emitter.stats()).toMatchObject({ sent: 0, failed: 1 });
      await emitter.close();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    expect(() =>
      createOpenLineageEmitter({ transport: { type: "http", url: "not a url" } }),
    ).toThrow(/not a URL/);
    expect(() =>
      createOpenLineageEmitter({ transport: { type: "http", url: "ftp://example.com/x" } }),
    ).toThrow(/http/);
    expect(() => createOpenLineageEmitter({ transport: { type: "kafka" } as never })).toThrow(
      /unknown type "kafka"/,
    );
    expect(() => createOpenLineageEmitter({ transport: () => {}, namespace: " " })).toThrow(
      /namespace/,
    );
  });
});
