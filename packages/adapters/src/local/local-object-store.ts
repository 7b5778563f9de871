import { randomBytes } from "node:crypto";
import type { Stats } from "node:fs";
import {
  constants,
  copyFile,
  link,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  stat,
  unlink,
  writeFile,
} from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type {
  ObjectInfo,
  ObjectStore,
  ObjectStoreCallOptions,
  ObjectStoreGetOptions,
  ObjectStoreListOptions,
  ObjectStorePutOptions,
} from "@controlroom/executor-kit";
import { compareKeys } from "../internal/compare-keys.js";
import { LocalObjectStoreError } from "./local-object-store-error.js";

/** Options of {@link createLocalObjectStore}. */
export interface LocalObjectStoreOptions {
  /**
   * The directory that holds the objects; created on the first write. Relative paths
   * are resolved against the working directory once, when the store is created.
   */
  root: string;
  /**
   * How old (in milliseconds) a `putIfMatch` lock file must be before another writer
   * may break it, in case the process that held it died.
   * @default 30_000
   */
  staleLockMs?: number | undefined;
}

// Temporary and lock files live beside their target (rename and link are only atomic
// within one file system) and start with this prefix so that `list` can hide them.
const TEMP_PREFIX = ".crtmp-";
const LOCK_SUFFIX = ".crlock";
// Files a listing stats at once, ahead of the one it yields.
const STATS_AHEAD = 8;

/**
 * An {@link ObjectStore} on a local directory: keys are paths under `root`.
 *
 * - `put` writes a temporary file in the target's directory and renames it over the
 *   target, so readers see either the old or the new bytes, never half a file.
 * - `putIfAbsent` hard-links a fully written temporary file to the key (`link(2)` fails
 *   with `EEXIST` when the key exists), which is atomic across processes on POSIX file
 *   systems. Network file systems may not honour that: use a local disk for tables.
 * - `putIfMatch` compares etags under a lock file created with `O_EXCL`.
 * - `list` walks the directory tree in ascending key order (UTF-8 byte order, as S3).
 *
 * Create it with {@link createLocalObjectStore}.
 */
export class LocalObjectStore implements ObjectStore {
  /** The absolute directory the store writes under. */
  readonly root: string;
  readonly #staleLockMs: number;

  constructor(options: LocalObjectStoreOptions) {
    this.root = resolve(options.root);
    this.#staleLockMs = options.staleLockMs ?? 30_000;
  }

  /** The absolute file path of `key` (after validating the key). */
  pathOf(key: string): string {
    validateKey(key);
    return join(this.root, ...key.split("/"));
  }

  async get(key: string, options?: ObjectStoreGetOptions): Promise<Uint8Array | undefined> {
    options?.signal?.throwIfAborted();
    const path = this.pathOf(key);
    try {
      const range = options?.range;
      if (range === undefined) return new Uint8Array(await readFile(path));
      const handle = await open(path, "r");
      try {
        const size = (await handle.stat()).size;
        const length = Math.max(0, Math.min(range.length, size - range.offset));
        const buffer = new Uint8Array(length);
        let read = 0;
        while (read < length) {
          const { bytesRead } = await handle.read(buffer, read, length - read, range.offset + read);
          if (bytesRead === 0) break;
          read += bytesRead;
        }
        return buffer.subarray(0, read);
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async put(key: string, data: Uint8Array, options?: ObjectStorePutOptions): Promise<ObjectInfo> {
    options?.signal?.throwIfAborted();
    return this.#publish(key, (target) => this.#writeTemp(target, data));
  }

  async putIfAbsent(
    key: string,
    data: Uint8Array,
    options?: ObjectStorePutOptions,
  ): Promise<ObjectInfo | undefined> {
    options?.signal?.throwIfAborted();
    return this.#publishIfAbsent(key, (target) => this.#writeTemp(target, data));
  }

  /**
   * {@link LocalObjectStore.put} from the file at `path`: `copyFile` copies it in the
   * kernel (a reflink where the file system has them), so even a large data file never
   * passes through memory.
   */
  async putFile(key: string, path: string, options?: ObjectStorePutOptions): Promise<ObjectInfo> {
    options?.signal?.throwIfAborted();
    return this.#publish(key, (target) => this.#copyTemp(target, path));
  }

  /** {@link LocalObjectStore.putIfAbsent} from the file at `path`, copied as in `putFile`. */
  async putFileIfAbsent(
    key: string,
    path: string,
    options?: ObjectStorePutOptions,
  ): Promise<ObjectInfo | undefined> {
    options?.signal?.throwIfAborted();
    return this.#publishIfAbsent(key, (target) => this.#copyTemp(target, path));
  }

  /** Writes a complete temporary file next to `key`'s path, then renames it over it. */
  async #publish(key: string, makeTemp: (target: string) => Promise<string>): Promise<ObjectInfo> {
    const target = this.pathOf(key);
    const temp = await makeTemp(target);
    try {
      await rename(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw error;
    }
    return this.#info(key, await stat(target));
  }

  /** As {@link #publish}, but only when `key` does not exist; undefined when it does. */
  async #publishIfAbsent(
    key: string,
    makeTemp: (target: string) => Promise<string>,
  ): Promise<ObjectInfo | undefined> {
    const target = this.pathOf(key);
    const temp = await makeTemp(target);
    try {
      // link(2) creates the name only if it does not exist, in one step: the file it
      // publishes is already complete, so no reader ever sees a partial commit.
      await link(temp, target);
    } catch (error) {
      if (hasCode(error, "EEXIST")) return undefined;
      throw error;
    } finally {
      await unlink(temp).catch(() => {});
    }
    return this.#info(key, await stat(target));
  }

  async putIfMatch(
    key: string,
    data: Uint8Array,
    etag: string,
    options?: ObjectStorePutOptions,
  ): Promise<ObjectInfo | undefined> {
    options?.signal?.throwIfAborted();
    const path = this.pathOf(key);
    const release = await this.#lock(path, options?.signal);
    try {
      const current = await statFile(path);
      if (current === undefined || etagOf(current) !== etag) return undefined;
      return await this.put(key, data, options);
    } finally {
      await release();
    }
  }

  /**
   * Lists keys under `prefix` in ascending UTF-8 byte order. `startAfter` (as S3's
   * `start-after`) skips every key up to and including it without a `stat` of its
   * file, and whole directories that sort before it: a Delta reader lists `_delta_log/`
   * from its last checkpoint instead of paying one `stat` per commit since the table
   * began.
   */
  async *list(prefix: string, options?: ObjectStoreListOptions): AsyncIterable<ObjectInfo> {
    options?.signal?.throwIfAborted();
    if (prefix !== "") validateKey(prefix.endsWith("/") ? `${prefix}x` : prefix);
    // Start at the deepest directory the prefix names in full; everything below it is
    // walked in key order and filtered by the rest of the prefix.
    const slash = prefix.lastIndexOf("/");
    const base = slash === -1 ? "" : prefix.slice(0, slash + 1);
    yield* this.#walk(base, prefix, options?.signal, options?.startAfter);
  }

  async delete(key: string, options?: ObjectStoreCallOptions): Promise<void> {
    options?.signal?.throwIfAborted();
    try {
      await unlink(this.pathOf(key));
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }

  async stat(key: string, options?: ObjectStoreCallOptions): Promise<ObjectInfo | undefined> {
    options?.signal?.throwIfAborted();
    const stats = await statFile(this.pathOf(key));
    return stats === undefined ? undefined : this.#info(key, stats);
  }

  uri(key: string): string {
    return pathToFileURL(this.pathOf(key)).href;
  }

  async *#walk(
    dirKey: string,
    prefix: string,
    signal: AbortSignal | undefined,
    startAfter: string | undefined,
  ): AsyncIterable<ObjectInfo> {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(dirKey === "" ? this.root : this.pathOf(dirKey.slice(0, -1)), {
        withFileTypes: true,
      });
    } catch (error) {
      if (isMissing(error) || hasCode(error, "ENOTDIR")) return;
      throw error;
    }
    // A directory `a` holds keys `a/…`, so it sorts as `a/` against its siblings: that
    // keeps the depth-first walk in exact ascending key order. What the listing skips is
    // dropped before sorting: a Delta reader listing from its last checkpoint keeps a
    // few of the thousands of names a `_delta_log` may hold.
    const listed: { key: string; directory: boolean }[] = [];
    for (const entry of entries) {
      if (entry.name.startsWith(TEMP_PREFIX) || entry.name.endsWith(LOCK_SUFFIX)) continue;
      if (entry.isDirectory()) {
        const key = `${dirKey}${entry.name}/`;
        // Skip subtrees that cannot hold a key with this prefix, or only keys up to
        // startAfter (all of `a/…` is before it when `a/` is and does not begin it).
        if (!(key.startsWith(prefix) || prefix.startsWith(key))) continue;
        if (
          startAfter !== undefined &&
          compareKeys(key, startAfter) < 0 &&
          !startAfter.startsWith(key)
        ) {
          continue;
        }
        listed.push({ key, directory: true });
      } else if (entry.isFile()) {
        const key = dirKey + entry.name;
        if (!key.startsWith(prefix)) continue;
        if (startAfter !== undefined && compareKeys(key, startAfter) <= 0) continue;
        listed.push({ key, directory: false });
      }
    }
    listed.sort((a, b) => compareKeys(a.key, b.key));
    // Files are stat'ed a few ahead of the one yielded, in order: one at a time, a
    // listing of many new commits waited for each in turn.
    const stats = new Map<number, Promise<Stats | undefined>>();
    const statAt = (index: number): Promise<Stats | undefined> => {
      let pending = stats.get(index);
      if (pending === undefined) {
        pending = statFile(join(this.root, ...(listed[index] as { key: string }).key.split("/")));
        // Awaited in order below; a consumer that stops early leaves the rest unread.
        pending.catch(() => undefined);
        stats.set(index, pending);
      }
      return pending;
    };
    for (const [index, { key, directory }] of listed.entries()) {
      signal?.throwIfAborted();
      if (directory) {
        yield* this.#walk(key, prefix, signal, startAfter);
        continue;
      }
      const end = Math.min(listed.length, index + STATS_AHEAD);
      for (let next = index; next < end; next++) {
        if (!(listed[next] as { directory: boolean }).directory) statAt(next);
      }
      const found = await statAt(index);
      stats.delete(index);
      if (found !== undefined) yield this.#info(key, found);
    }
  }

  async #writeTemp(path: string, data: Uint8Array): Promise<string> {
    const dir = dirname(path);
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString("hex")}`);
    await writeFile(temp, data, { flag: "wx" });
    return temp;
  }

  async #copyTemp(target: string, source: string): Promise<string> {
    const dir = dirname(target);
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString("hex")}`);
    try {
      await copyFile(source, temp, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    } catch (error) {
      // A copy cut short (a full disk) must not leave half a file behind.
      await unlink(temp).catch(() => {});
      throw error;
    }
    return temp;
  }

  async #lock(path: string, signal?: AbortSignal): Promise<() => Promise<void>> {
    const lockPath = `${path}${LOCK_SUFFIX}`;
    await mkdir(dirname(path), { recursive: true });
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      try {
        const handle = await open(lockPath, "wx");
        await handle.close();
        return () => unlink(lockPath).catch(() => {});
      } catch (error) {
        if (!hasCode(error, "EEXIST")) throw error;
      }
      const held = await statFile(lockPath);
      if (held !== undefined && Date.now() - held.mtimeMs > this.#staleLockMs) {
        await unlink(lockPath).catch(() => {});
        continue;
      }
      await new Promise((done) => setTimeout(done, Math.min(50, 2 + attempt)));
    }
  }

  #info(key: string, stats: Stats): ObjectInfo {
    return { key, size: stats.size, etag: etagOf(stats), lastModified: stats.mtime };
  }
}

/**
 * Creates a {@link LocalObjectStore} on a directory.
 *
 * @example
 * ```ts
 * import { createLocalObjectStore } from "@controlroom/adapters/local";
 *
 * const store = createLocalObjectStore({ root: "./.data/lake" });
 * await store.putIfAbsent("_delta_log/00000000000000000000.json", new TextEncoder().encode("{}\n"));
 * for await (const object of store.list("_delta_log/")) console.log(object.key, object.size);
 * ```
 */
export function createLocalObjectStore(options: LocalObjectStoreOptions): LocalObjectStore {
  return new LocalObjectStore(options);
}

function validateKey(key: string): void {
  const segments = key.split("/");
  const bad =
    key === "" ||
    key.includes("\0") ||
    key.includes("\\") ||
    segments.some((segment) => segment === "" || segment === "." || segment === "..") ||
    segments.some((segment) => segment.startsWith(TEMP_PREFIX) || segment.endsWith(LOCK_SUFFIX));
  if (bad || sep !== "/") {
    throw new LocalObjectStoreError(`invalid object key ${JSON.stringify(key)}`);
  }
}

// Every write renames or links a new inode into place, so inode + change time + size
// changes on every write, without hashing the bytes.
function etagOf(stats: Stats): string {
  return `"${stats.ino.toString(16)}-${Math.round(stats.ctimeMs * 1000).toString(16)}-${stats.size.toString(16)}"`;
}

async function statFile(path: string): Promise<Stats | undefined> {
  try {
    const stats = await stat(path);
    return stats.isFile() ? stats : undefined;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

function hasCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}

function isMissing(error: unknown): boolean {
  return hasCode(error, "ENOENT") || hasCode(error, "EISDIR") || hasCode(error, "ENOTDIR");
}
