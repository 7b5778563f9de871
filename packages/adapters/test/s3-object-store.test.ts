import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListMultipartUploadsCommand, S3Client } from "@aws-sdk/client-s3";
import { objectStoreConformance } from "@controlroom/executor-kit/testing";
import { afterAll, describe, expect, it } from "vitest";
import { createS3ObjectStore, isAdapterError, S3ObjectStoreError } from "../src/s3/index.js";
import type { S3ObjectStore } from "../src/s3/s3-object-store.js";
import {
  type ReadyS3TestServer,
  s3ClientConfig,
  s3TestServer,
  testS3Store,
} from "./s3-test-server.js";

const maybeServer = s3TestServer();
// Only dereferenced inside tests, which are skipped when there is no server.
const server = maybeServer as ReadyS3TestServer;
const bytes = (text: string) => new TextEncoder().encode(text);
const MIB = 1024 * 1024;

describe.skipIf(maybeServer === undefined)("S3ObjectStore on a real S3 server", () => {
  const stores: S3ObjectStore[] = [];
  const store = (options?: Parameters<typeof testS3Store>[1]) => {
    const made = testS3Store(server, options);
    stores.push(made);
    return made;
  };
  afterAll(async () => {
    for (const made of stores) await made.close();
  });

  objectStoreConformance("s3", () => store(), { racingWriters: 10 });

  it("lets exactly one of 10 racing putIfAbsent calls win, each on its own client", async () => {
    // Separate clients: separate connection pools, so the requests really race.
    const racers = Array.from({ length: 10 }, () => store({ prefix: "race" }));
    const key = `${crypto.randomUUID()}/_delta_log/00000000000000000000.json`;
    const results = await Promise.all(
      racers.map((racer, index) => racer.putIfAbsent(key, bytes(`writer ${index}`))),
    );
    const winners = results.flatMap((result, index) => (result === undefined ? [] : [index]));
    expect(winners).toHaveLength(1);
    expect(new TextDecoder().decode(await racers[0]?.get(key))).toBe(`writer ${winners[0]}`);
  });

  it("uploads objects above the threshold in parts and reads them back", async () => {
    const s3 = store({ multipartThreshold: 5 * MIB, partSize: 5 * MIB });
    const data = new Uint8Array(randomBytes(12 * MIB + 123));
    const info = await s3.put("big/blob.bin", data);
    // A multipart ETag is "<md5 of part md5s>-<part count>".
    expect(info.etag).toMatch(/-3"?$/);
    expect(info.size).toBe(data.byteLength);
    expect(await s3.stat("big/blob.bin")).toMatchObject({ size: data.byteLength, etag: info.etag });
    const back = await s3.get("big/blob.bin");
    expect(back?.byteLength).toBe(data.byteLength);
    expect(Buffer.from(back as Uint8Array).equals(Buffer.from(data))).toBe(true);
    const slice = await s3.get("big/blob.bin", { range: { offset: 5 * MIB - 2, length: 4 } });
    expect(Array.from(slice as Uint8Array)).toEqual(
      Array.from(data.subarray(5 * MIB - 2, 5 * MIB + 2)),
    );
  });

  it("uploads a large local file in parts with putFile, reading it part by part", async () => {
    const s3 = store({ multipartThreshold: 5 * MIB, partSize: 5 * MIB });
    const dir = await mkdtemp(join(tmpdir(), "controlroom-s3-file-"));
    try {
      const path = join(dir, "part.parquet");
      const data = new Uint8Array(randomBytes(12 * MIB + 77));
      await writeFile(path, data);
      const info = await s3.putFile("big/file.bin", path);
      expect(info.etag).toMatch(/-3"?$/);
      expect(info.size).toBe(data.byteLength);
      const back = await s3.get("big/file.bin");
      expect(Buffer.from(back as Uint8Array).equals(Buffer.from(data))).toBe(true);
      // Conditional, like putIfAbsent: the second upload loses and changes nothing.
      expect(await s3.putFileIfAbsent("big/file-once.bin", path)).toBeDefined();
      await writeFile(path, new Uint8Array(randomBytes(6 * MIB)));
      expect(await s3.putFileIfAbsent("big/file-once.bin", path)).toBeUndefined();
      const once = await s3.get("big/file-once.bin");
      expect(Buffer.from(once as Uint8Array).equals(Buffer.from(data))).toBe(true);
      // A file shorter than the threshold goes up in one PutObject.
      await writeFile(path, bytes("small"));
      expect((await s3.putFile("big/small.bin", path)).etag).not.toMatch(/-\d+"?$/);
      expect(new TextDecoder().decode(await s3.get("big/small.bin"))).toBe("small");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("keeps multipart putIfAbsent conditional and leaves no upload behind", async () => {
    const s3 = store({ multipartThreshold: 5 * MIB, partSize: 5 * MIB });
    const first = new Uint8Array(randomBytes(6 * MIB));
    const second = new Uint8Array(randomBytes(6 * MIB));
    expect(await s3.putIfAbsent("big/once.bin", first)).toMatchObject({ size: first.byteLength });
    expect(await s3.putIfAbsent("big/once.bin", second)).toBeUndefined();
    const back = await s3.get("big/once.bin");
    expect(Buffer.from(back as Uint8Array).equals(Buffer.from(first))).toBe(true);
    const etag = (await s3.stat("big/once.bin"))?.etag as string;
    expect(await s3.putIfMatch("big/once.bin", second, etag)).toBeDefined();
    expect(await s3.putIfMatch("big/once.bin", first, etag)).toBeUndefined();
    // The losing uploads were aborted, not left to cost storage.
    const uploads = await (s3.client as S3Client).send(
      new ListMultipartUploadsCommand({
        Bucket: server.bucket,
        Prefix: s3.uri("big/").slice(`s3://${server.bucket}/`.length),
      }),
    );
    expect(uploads.Uploads ?? []).toEqual([]);
  });

  it("signs GET URLs that plain fetch() can use, until they expire", async () => {
    const s3 = store();
    await s3.put("signed/hello.txt", bytes("hello, world"), { contentType: "text/plain" });
    const url = await s3.signedUrl("signed/hello.txt", { expiresInSeconds: 2 });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("hello, world");
    expect(response.headers.get("content-type")).toBe("text/plain");
    // SigV4 expiry has one-second resolution: wait past it with margin.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    const expired = await fetch(url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toMatch(/expired/i);
  });

  it("signs PUT URLs", async () => {
    const s3 = store();
    const url = await s3.signedUrl("signed/upload.txt", { method: "PUT", expiresInSeconds: 60 });
    expect((await fetch(url, { method: "PUT", body: "uploaded" })).status).toBe(200);
    expect(new TextDecoder().decode(await s3.get("signed/upload.txt"))).toBe("uploaded");
  });

  it("lists past one page (more than 1000 keys) in order", async () => {
    const s3 = store();
    const keys = Array.from({ length: 1005 }, (_, i) => `many/${String(i).padStart(5, "0")}`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => s3.put(key, bytes("x"))));
    }
    const listed: string[] = [];
    for await (const info of s3.list("many/")) listed.push(info.key);
    expect(listed).toEqual(keys);
  });

  it("rejects with the signal's reason when aborted mid-upload", async () => {
    const s3 = store({ multipartThreshold: 5 * MIB, partSize: 5 * MIB });
    const controller = new AbortController();
    const reason = new Error("phase cancelled");
    const upload = s3.put("abort/big.bin", new Uint8Array(40 * MIB), { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 20);
    await expect(upload).rejects.toBe(reason);
    expect(await s3.stat("abort/big.bin")).toBeUndefined();
  });

  it("names objects s3://bucket/prefix/key", () => {
    const s3 = createS3ObjectStore({
      bucket: server.bucket,
      prefix: "/lake/dev/",
      clientConfig: s3ClientConfig(server),
    });
    stores.push(s3);
    expect(s3.uri("t/_delta_log/0.json")).toBe(
      `s3://${server.bucket}/lake/dev/t/_delta_log/0.json`,
    );
  });

  it("maps failures to S3ObjectStoreError with a code", async () => {
    const missingBucket = createS3ObjectStore({
      bucket: "no-such-bucket-here",
      clientConfig: s3ClientConfig(server),
    });
    stores.push(missingBucket);
    const error = await missingBucket.put("a", bytes("x")).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(S3ObjectStoreError);
    expect(isAdapterError(error)).toBe(true);
    expect(error).toMatchObject({ code: "S3_NO_SUCH_BUCKET", status: 404, s3Code: "NoSuchBucket" });

    const wrongKey = createS3ObjectStore({
      bucket: server.bucket,
      clientConfig: {
        ...s3ClientConfig(server),
        credentials: { accessKeyId: server.accessKeyId, secretAccessKey: "wrong-secret" },
      },
    });
    stores.push(wrongKey);
    await expect(wrongKey.get("a")).rejects.toMatchObject({
      code: "S3_ACCESS_DENIED",
      status: 403,
    });
    await expect(store().get("/absolute")).rejects.toMatchObject({ code: "S3_INVALID_KEY" });
    expect(() => createS3ObjectStore({ bucket: "x" })).toThrow(S3ObjectStoreError);
  });

  it("uses an injected client and leaves it open", async () => {
    const client = new S3Client({
      ...s3ClientConfig(server),
      requestChecksumCalculation: "WHEN_REQUIRED",
    });
    const s3 = createS3ObjectStore({ bucket: server.bucket, prefix: crypto.randomUUID(), client });
    await s3.put("x", bytes("y"));
    await s3.close();
    expect(new TextDecoder().decode(await s3.get("x"))).toBe("y");
    client.destroy();
  });
});
