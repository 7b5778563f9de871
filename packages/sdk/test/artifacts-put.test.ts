import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { HttpResponse, http } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ArtifactStorage,
  artifactKey,
  ControlRoomClient,
  localArtifactStorage,
} from "../src/index.js";
import { BASE_URL, RUN_ID, useMswServer } from "./msw-server.js";

const server = useMswServer();
const client = () => new ControlRoomClient({ baseUrl: BASE_URL, token: "t" });
const sha = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");
const NOW = "2026-01-31T12:00:00.000Z";
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "sdk-artifacts-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Accepts registrations and records their bodies. */
function registerEndpoint(bodies: Record<string, unknown>[]) {
  return http.post(`${BASE_URL}/ops/artifacts`, async ({ request }) => {
    const body = (await request.json()) as Record<string, unknown>;
    bodies.push(body);
    return HttpResponse.json(
      { ...body, metadata: body.metadata ?? {}, created_at: NOW, links: [] },
      { status: 201 },
    );
  });
}

function chunksOf(text: string, size: number): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

async function* generate(chunks: Uint8Array[]) {
  for (const chunk of chunks) yield chunk;
}

function memoryStorage() {
  const objects = new Map<string, Uint8Array>();
  const storage: ArtifactStorage = {
    async put({ sha256, data }) {
      const key = artifactKey(sha256);
      if (!objects.has(key)) objects.set(key, data);
      return { uri: `memory://${key}` };
    },
  };
  return { objects, storage };
}

describe("artifacts.put", () => {
  const text = "id,amount\n".concat("1,9.99\n".repeat(5_000));

  it.each([
    ["a string", () => text],
    ["bytes", () => new TextEncoder().encode(text)],
    ["an async iterable", () => generate(chunksOf(text, 1000))],
    [
      "a web ReadableStream",
      () =>
        new ReadableStream<Uint8Array>({
          start(controller) {
            for (const chunk of chunksOf(text, 777)) controller.enqueue(chunk);
            controller.close();
          },
        }),
    ],
  ])("streams %s into local storage and registers it by hash", async (_, data) => {
    const bodies: Record<string, unknown>[] = [];
    server.use(registerEndpoint(bodies));
    const artifact = await client().artifacts.put({
      data: data(),
      mediaType: "text/csv",
      storage: localArtifactStorage(root),
      link: { run_id: RUN_ID, phase: "publish", name: "out.csv" },
      metadata: { rows: 5000 },
    });
    const expected = sha(text);
    expect(artifact.sha256).toBe(expected);
    expect(bodies).toEqual([
      {
        sha256: expected,
        size_bytes: Buffer.byteLength(text),
        media_type: "text/csv",
        uri: artifact.uri,
        metadata: { rows: 5000 },
        link: { run_id: RUN_ID, phase: "publish", name: "out.csv" },
      },
    ]);
    const path = fileURLToPath(artifact.uri);
    expect(path).toBe(join(root, artifactKey(expected)));
    expect(await readFile(path, "utf8")).toBe(text);
    expect(await readdir(join(root, ".tmp"))).toEqual([]); // no temporary file left behind
  });

  it("stores the same content once, even when written concurrently", async () => {
    server.use(registerEndpoint([]));
    const storage = localArtifactStorage(root);
    const content = `same ${Date.now()}`;
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        client().artifacts.put({
          data: generate(chunksOf(content, 3)),
          mediaType: "text/plain",
          storage,
        }),
      ),
    );
    expect(new Set(results.map((r) => r.uri)).size).toBe(1);
    expect(await readFile(fileURLToPath(results[0]!.uri), "utf8")).toBe(content);
    expect(await readdir(join(root, ".tmp"))).toEqual([]);
  });

  it("hashes a stream itself for a storage that only has put()", async () => {
    const bodies: Record<string, unknown>[] = [];
    server.use(registerEndpoint(bodies));
    const { objects, storage } = memoryStorage();
    const artifact = await client().artifacts.put({
      data: generate(chunksOf(text, 4096)),
      mediaType: "text/csv",
      storage,
    });
    expect(artifact.sha256).toBe(sha(text));
    expect(new TextDecoder().decode(objects.get(artifactKey(sha(text))))).toBe(text);
    expect(bodies[0]).not.toHaveProperty("link");
  });

  it("refuses to register what a storage misreports", async () => {
    const storage: ArtifactStorage = {
      put: async () => ({ uri: "memory://x" }),
      async putStream({ data }) {
        let sizeBytes = 0;
        for await (const chunk of data) sizeBytes += chunk.byteLength;
        return { sha256: "0".repeat(64), sizeBytes, uri: "memory://wrong" };
      },
    };
    // No register handler: a registration would fail the test as an unhandled request.
    await expect(
      client().artifacts.put({
        data: generate(chunksOf("abc", 1)),
        mediaType: "text/plain",
        storage,
      }),
    ).rejects.toThrow(/reported 0{64}/);
  });

  it("stops reading a stream when aborted and leaves no partial file", async () => {
    const controller = new AbortController();
    async function* slow() {
      for (let i = 0; i < 100; i++) {
        if (i === 3) controller.abort(new Error("stop"));
        yield new Uint8Array(1024).fill(i);
      }
    }
    const dir = await mkdtemp(join(tmpdir(), "sdk-abort-"));
    await expect(
      client().artifacts.put({
        data: slow(),
        mediaType: "application/octet-stream",
        storage: localArtifactStorage(dir),
        signal: controller.signal,
      }),
    ).rejects.toThrow("stop");
    expect(await readdir(join(dir, ".tmp"))).toEqual([]);
    await expect(readdir(join(dir, "artifacts"))).rejects.toThrow(/ENOENT/);
    await rm(dir, { recursive: true, force: true });
  });
});

describe("artifactKey", () => {
  it("fans out by the first two byte pairs and refuses what is not a sha256", () => {
    const hash = sha("x");
    expect(artifactKey(hash)).toBe(
      `artifacts/sha256/${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}`,
    );
    expect(() => artifactKey("../../etc/passwd")).toThrow(TypeError);
    expect(() => artifactKey(hash.toUpperCase())).toThrow(TypeError);
  });
});
