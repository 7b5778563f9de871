import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { objectStoreConformance } from "@controlroom/executor-kit/testing";
import { afterAll, describe, expect, it } from "vitest";
import { createLocalObjectStore, LocalObjectStoreError } from "../src/local/index.js";

const run = promisify(execFile);
const roots: string[] = [];
async function tempRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "controlroom-local-"));
  roots.push(root);
  return root;
}
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

objectStoreConformance("local", async () => createLocalObjectStore({ root: await tempRoot() }), {
  racingWriters: 16,
});

const bytes = (text: string) => new TextEncoder().encode(text);

describe("LocalObjectStore", () => {
  it("lets exactly one of many processes win a putIfAbsent race", async () => {
    const root = await tempRoot();
    const key = "t/_delta_log/00000000000000000003.json";
    const child = fileURLToPath(new URL("./local-race-child.ts", import.meta.url));
    const racers = 8;
    // Children take a while to boot; give them all the same start time well ahead.
    const startAt = Date.now() + 2_500;
    const outputs = await Promise.all(
      Array.from({ length: racers }, (_, id) =>
        run(process.execPath, ["--import", "tsx", child, root, key, String(id), String(startAt)], {
          cwd: fileURLToPath(new URL("..", import.meta.url)),
        }).then((result) => result.stdout.trim()),
      ),
    );
    expect(outputs.filter((output) => output === "won")).toHaveLength(1);
    expect(outputs.filter((output) => output === "lost")).toHaveLength(racers - 1);
    const store = createLocalObjectStore({ root });
    const text = new TextDecoder().decode(await store.get(key));
    expect(text).toMatch(/^writer \d\n$/);
    // No temporary files are left behind, and none are listed.
    expect(await readdir(join(root, "t", "_delta_log"))).toEqual(["00000000000000000003.json"]);
  }, 60_000);

  it("lists in exact key order across directory boundaries", async () => {
    const store = createLocalObjectStore({ root: await tempRoot() });
    const keys = ["a/b", "a-b", "a.b", "a/a/z", "ab", "é", "z"];
    for (const key of keys) await store.put(key, bytes(key));
    const listed: string[] = [];
    for await (const info of store.list("")) listed.push(info.key);
    const expected = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(listed).toEqual(expected);
    const underA: string[] = [];
    for await (const info of store.list("a")) underA.push(info.key);
    expect(underA).toEqual(expected.filter((key) => key.startsWith("a")));
  });

  it("lists and starts after keys in UTF-8 byte order, past the Basic Multilingual Plane too", async () => {
    const store = createLocalObjectStore({ root: await tempRoot() });
    // UTF-16 code units order U+1F600 (a surrogate pair) before U+E000 and U+FFFD; UTF-8
    // bytes, and so S3, order it after them.
    const keys = ["d/\u{1F600}", "d/\uE000", "d/\uFFFD", "d/z", "d/\u{1F600}x/y", "d/\uE000x"];
    for (const key of keys) await store.put(key, bytes(key));
    const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    const list = async (startAfter?: string) => {
      const listed: string[] = [];
      for await (const info of store.list("d/", { startAfter })) listed.push(info.key);
      return listed;
    };
    expect(await list()).toEqual(byBytes);
    for (const [index, key] of byBytes.entries()) {
      expect(await list(key)).toEqual(byBytes.slice(index + 1));
    }
    expect(await list("d/\uFFFF")).toEqual(["d/\u{1F600}", "d/\u{1F600}x/y"]);
  });

  it("hides its temporary files from listings and refuses keys that escape the root", async () => {
    const root = await tempRoot();
    const store = createLocalObjectStore({ root });
    await store.put("x/real", bytes("1"));
    await writeFile(join(root, "x", ".crtmp-leftover"), "partial");
    const listed: string[] = [];
    for await (const info of store.list("x/")) listed.push(info.key);
    expect(listed).toEqual(["x/real"]);
    for (const bad of ["../escape", "/abs", "a//b", "a/./b", "a\\b", ""]) {
      await expect(store.get(bad)).rejects.toBeInstanceOf(LocalObjectStoreError);
    }
  });

  it("serialises putIfMatch: of racing swaps on one etag exactly one wins", async () => {
    const store = createLocalObjectStore({ root: await tempRoot() });
    const first = await store.put("pointer.json", bytes("v0"));
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.putIfMatch("pointer.json", bytes(`v${i + 1}`), first.etag as string),
      ),
    );
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
  });

  it("gives file:// URIs and reports sizes and times", async () => {
    const root = await tempRoot();
    const store = createLocalObjectStore({ root });
    const info = await store.put("dir/file name.txt", bytes("hello"));
    expect(info.size).toBe(5);
    expect(info.lastModified).toBeInstanceOf(Date);
    expect(fileURLToPath(store.uri("dir/file name.txt"))).toBe(join(root, "dir", "file name.txt"));
  });
});
