import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ObjectStore } from "../ports/object-store.js";

/** Options of {@link objectStoreConformance}. */
export interface ObjectStoreConformanceOptions {
  /**
   * Called once after the suite with the store the factory made (close clients,
   * remove temporary directories).
   * @default undefined
   */
  teardown?: (store: ObjectStore) => void | Promise<void>;
  /**
   * Race this many `putIfAbsent` calls on one key and expect exactly one to win. Set
   * 0 for stores documented as not atomic (then never use them for table commits).
   * @default 5
   */
  racingWriters?: number;
}

/**
 * The conformance suite every {@link ObjectStore} adapter runs with vitest: reads,
 * writes, ranges, conditional writes (including a race), listing order, deletes, URIs
 * and aborts. Each test works under its own random prefix, so a factory may return a
 * store over a shared bucket or directory.
 *
 * @example
 * ```ts
 * // packages/adapters/src/local-fs/local-fs-object-store.test.ts
 * import { objectStoreConformance } from "@controlroom/executor-kit/testing";
 *
 * objectStoreConformance("local-fs", async () => createLocalFsObjectStore({ root: await mkdtemp(dir) }));
 * ```
 */
export function objectStoreConformance(
  name: string,
  factory: () => ObjectStore | Promise<ObjectStore>,
  options: ObjectStoreConformanceOptions = {},
): void {
  describe(`ObjectStore conformance: ${name}`, () => {
    let store: ObjectStore;
    const bytes = (text: string) => new TextEncoder().encode(text);
    const text = (data: Uint8Array | undefined) =>
      data === undefined ? undefined : new TextDecoder().decode(data);
    const prefix = () => `conformance-${crypto.randomUUID()}/`;
    const collect = async (iterable: AsyncIterable<{ key: string }>) => {
      const keys: string[] = [];
      for await (const info of iterable) keys.push(info.key);
      return keys;
    };

    beforeAll(async () => {
      store = await factory();
    });
    afterAll(async () => {
      if (store) await options.teardown?.(store);
    });

    it("reads back what it wrote, byte for byte", async () => {
      const key = `${prefix()}all-bytes.bin`;
      const data = Uint8Array.from({ length: 256 }, (_, index) => index);
      const info = await store.put(key, data, { contentType: "application/octet-stream" });
      expect(info).toMatchObject({ key, size: 256 });
      expect(await store.get(key)).toEqual(data);
    });

    it("stores empty objects", async () => {
      const key = `${prefix()}empty`;
      await store.put(key, new Uint8Array(0));
      expect((await store.get(key))?.byteLength).toBe(0);
      expect(await store.stat(key)).toMatchObject({ key, size: 0 });
    });

    it("answers undefined for missing objects", async () => {
      const key = `${prefix()}missing`;
      expect(await store.get(key)).toBeUndefined();
      expect(await store.stat(key)).toBeUndefined();
    });

    it("overwrites with put", async () => {
      const key = `${prefix()}overwrite.txt`;
      await store.put(key, bytes("first"));
      await store.put(key, bytes("second!"));
      expect(text(await store.get(key))).toBe("second!");
      expect(await store.stat(key)).toMatchObject({ size: 7 });
    });

    it("reads byte ranges, cut short at the end", async () => {
      const key = `${prefix()}range.txt`;
      await store.put(key, bytes("0123456789"));
      expect(text(await store.get(key, { range: { offset: 2, length: 3 } }))).toBe("234");
      expect(text(await store.get(key, { range: { offset: 8, length: 10 } }))).toBe("89");
    });

    it("keeps keys with spaces and non-ASCII characters", async () => {
      const base = prefix();
      const key = `${base}dir/file with space+é.txt`;
      await store.put(key, bytes("x"));
      expect(text(await store.get(key))).toBe("x");
      expect(await collect(store.list(base))).toEqual([key]);
    });

    it("writes with putIfAbsent only when nothing is there", async () => {
      const key = `${prefix()}once.json`;
      expect(await store.putIfAbsent(key, bytes("first"))).toMatchObject({ key, size: 5 });
      expect(await store.putIfAbsent(key, bytes("second"))).toBeUndefined();
      expect(text(await store.get(key))).toBe("first");
    });

    const racers = options.racingWriters ?? 5;
    it.skipIf(racers < 2)("lets exactly one of racing putIfAbsent calls win", async () => {
      const key = `${prefix()}_delta_log/00000000000000000001.json`;
      const results = await Promise.all(
        Array.from({ length: racers }, (_, index) =>
          store.putIfAbsent(key, bytes(`writer ${index}`)),
        ),
      );
      const winners = results.filter((result) => result !== undefined);
      expect(winners).toHaveLength(1);
      expect(text(await store.get(key))).toMatch(/^writer \d+$/);
    });

    it("swaps with putIfMatch only while the etag matches (when supported)", async (context) => {
      if (!store.putIfMatch) {
        context.skip();
        return;
      }
      const key = `${prefix()}pointer.json`;
      const first = await store.put(key, bytes("v1"));
      expect(first.etag).toBeTypeOf("string");
      const second = await store.putIfMatch(key, bytes("v2"), first.etag as string);
      expect(second).toBeDefined();
      expect(await store.putIfMatch(key, bytes("v3"), first.etag as string)).toBeUndefined();
      expect(text(await store.get(key))).toBe("v2");
      expect(
        await store.putIfMatch(`${prefix()}nothing`, bytes("x"), first.etag as string),
      ).toBeUndefined();
    });

    it("lists a prefix in ascending key order, and only that prefix", async () => {
      const base = prefix();
      const keys = [`${base}b/2`, `${base}a/1`, `${base}b/10`, `${base}c`];
      for (const key of keys) await store.put(key, bytes(key));
      await store.put(`${prefix()}elsewhere`, bytes("no"));
      expect(await collect(store.list(base))).toEqual([...keys].sort());
      expect(await collect(store.list(`${base}b/`))).toEqual([`${base}b/10`, `${base}b/2`]);
      expect(await collect(store.list(`${base}nothing/`))).toEqual([]);
      const listed: number[] = [];
      for await (const info of store.list(`${base}a/`)) listed.push(info.size);
      expect(listed).toEqual([`${base}a/1`.length]);
    });

    it("lists every key after startAfter, in order (a store may also list earlier ones)", async () => {
      const base = prefix();
      const keys = [`${base}a/1`, `${base}b/1`, `${base}b/2`, `${base}c`, `${base}d/e/f`];
      for (const key of keys) await store.put(key, bytes(key));
      const listed = await collect(store.list(base, { startAfter: `${base}b/1` }));
      // The option is a hint: what must hold is order and that nothing after it is missed.
      expect(listed).toEqual([...listed].sort());
      expect(listed.filter((key) => key > `${base}b/1`)).toEqual([
        `${base}b/2`,
        `${base}c`,
        `${base}d/e/f`,
      ]);
    });

    it("deletes, and deleting a missing object is not an error", async () => {
      const key = `${prefix()}gone.txt`;
      await store.put(key, bytes("x"));
      await store.delete(key);
      expect(await store.get(key)).toBeUndefined();
      await expect(store.delete(key)).resolves.toBeUndefined();
    });

    it("names objects with absolute URIs", () => {
      const key = `${prefix()}named.txt`;
      const uri = store.uri(key);
      expect(uri).toMatch(/^[a-z][a-z0-9+.-]*:\/\//);
      expect(decodeURIComponent(uri)).toContain(key);
    });

    it("writes from local files with putFile and putFileIfAbsent (when supported)", async (context) => {
      if (!store.putFile || !store.putFileIfAbsent) {
        // Both or neither: callers fall back to put / putIfAbsent together.
        expect(store.putFile).toBe(store.putFileIfAbsent);
        context.skip();
        return;
      }
      const dir = await mkdtemp(join(tmpdir(), "controlroom-conformance-"));
      try {
        const path = join(dir, "data.bin");
        const data = Uint8Array.from({ length: 70_000 }, (_, index) => (index * 7) % 251);
        await writeFile(path, data);
        const key = `${prefix()}from-file.bin`;
        expect(await store.putFile(key, path)).toMatchObject({ key, size: data.byteLength });
        expect(await store.get(key)).toEqual(data);
        // The file stays where it was, unchanged.
        expect(new Uint8Array(await readFile(path))).toEqual(data);
        await writeFile(path, bytes("replaced"));
        expect(await store.putFile(key, path)).toMatchObject({ key, size: 8 });
        expect(text(await store.get(key))).toBe("replaced");

        const once = `${prefix()}from-file-once.txt`;
        expect(await store.putFileIfAbsent(once, path)).toMatchObject({ key: once, size: 8 });
        await writeFile(path, bytes("second"));
        expect(await store.putFileIfAbsent(once, path)).toBeUndefined();
        expect(text(await store.get(once))).toBe("replaced");
        await expect(
          store.putFile(`${prefix()}missing`, join(dir, "missing.bin")),
        ).rejects.toThrow();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it("signs URLs (when supported)", async (context) => {
      if (!store.signedUrl) {
        context.skip();
        return;
      }
      const key = `${prefix()}signed.txt`;
      await store.put(key, bytes("x"));
      expect(await store.signedUrl(key, { expiresInSeconds: 60 })).toMatch(/^https?:\/\//);
    });

    it("rejects calls whose signal is already aborted", async () => {
      const key = `${prefix()}aborted.txt`;
      const signal = AbortSignal.abort(new Error("stop"));
      await expect(store.put(key, bytes("x"), { signal })).rejects.toThrow();
      await expect(store.get(key, { signal })).rejects.toThrow();
    });
  });
}
