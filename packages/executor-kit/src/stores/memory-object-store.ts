import { createHash } from "node:crypto";
import type {
  ObjectInfo,
  ObjectStore,
  ObjectStoreCallOptions,
  ObjectStoreGetOptions,
  ObjectStoreListOptions,
  ObjectStorePutOptions,
} from "../ports/object-store.js";

/** Options of {@link createMemoryObjectStore}. */
export interface MemoryObjectStoreOptions {
  /**
   * The URI prefix of keys, as `uri()` returns them.
   * @default "memory://default/"
   */
  baseUri?: string;
}

interface Entry {
  data: Uint8Array;
  info: ObjectInfo;
}

/**
 * An {@link ObjectStore} in process memory: for tests, examples and `runPhase()`.
 * Conditional writes are atomic (JavaScript runs one call at a time), etags are the
 * MD5 of the bytes, and nothing survives the process.
 *
 * @example
 * ```ts
 * const store = createMemoryObjectStore();
 * await store.putIfAbsent("a.txt", new TextEncoder().encode("first")); // ObjectInfo
 * await store.putIfAbsent("a.txt", new TextEncoder().encode("second")); // undefined
 * ```
 */
export function createMemoryObjectStore(options: MemoryObjectStoreOptions = {}): ObjectStore {
  const baseUri = options.baseUri ?? "memory://default/";
  const objects = new Map<string, Entry>();

  const write = (key: string, data: Uint8Array, putOptions: ObjectStorePutOptions = {}) => {
    checkKey(key);
    putOptions.signal?.throwIfAborted();
    const copy = new Uint8Array(data);
    const info: ObjectInfo = {
      key,
      size: copy.byteLength,
      etag: `"${createHash("md5").update(copy).digest("hex")}"`,
      lastModified: new Date(),
      contentType: putOptions.contentType ?? "application/octet-stream",
    };
    objects.set(key, { data: copy, info });
    return { ...info };
  };

  return {
    async get(key: string, getOptions: ObjectStoreGetOptions = {}) {
      checkKey(key);
      getOptions.signal?.throwIfAborted();
      const entry = objects.get(key);
      if (!entry) return undefined;
      const { range } = getOptions;
      if (!range) return new Uint8Array(entry.data);
      return entry.data.slice(range.offset, range.offset + range.length);
    },
    async put(key, data, putOptions) {
      return write(key, data, putOptions);
    },
    async putIfAbsent(key, data, putOptions) {
      checkKey(key);
      if (objects.has(key)) return undefined;
      return write(key, data, putOptions);
    },
    async putIfMatch(key, data, etag, putOptions) {
      checkKey(key);
      if (objects.get(key)?.info.etag !== etag) return undefined;
      return write(key, data, putOptions);
    },
    async *list(prefix: string, listOptions: ObjectStoreListOptions = {}) {
      const { startAfter } = listOptions;
      const keys = [...objects.keys()]
        .filter((key) => key.startsWith(prefix) && (startAfter === undefined || key > startAfter))
        .sort();
      for (const key of keys) {
        listOptions.signal?.throwIfAborted();
        const entry = objects.get(key);
        if (entry) yield { ...entry.info };
      }
    },
    async delete(key: string, callOptions: ObjectStoreCallOptions = {}) {
      checkKey(key);
      callOptions.signal?.throwIfAborted();
      objects.delete(key);
    },
    async stat(key: string, callOptions: ObjectStoreCallOptions = {}) {
      checkKey(key);
      callOptions.signal?.throwIfAborted();
      const entry = objects.get(key);
      return entry ? { ...entry.info } : undefined;
    },
    uri(key: string) {
      checkKey(key);
      return `${baseUri}${key}`;
    },
  };
}

function checkKey(key: string): void {
  if (typeof key !== "string" || key === "" || key.startsWith("/") || key.includes("//")) {
    throw new TypeError(`invalid object key ${JSON.stringify(key)}: relative, "/"-separated`);
  }
}
