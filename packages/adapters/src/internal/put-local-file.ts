import { readFile } from "node:fs/promises";
import type { ObjectInfo, ObjectStore, ObjectStorePutOptions } from "@controlroom/executor-kit";

/**
 * Uploads the local file at `path` to `key`: through the store's `putFile` /
 * `putFileIfAbsent` when it has them (streamed: a 128 MB Parquet file is never in memory
 * whole), else by reading the file once and calling `put` / `putIfAbsent` with those
 * bytes (no second copy). With `ifAbsent`, resolves to `undefined` when the key is taken.
 *
 * @example
 * ```ts
 * await putLocalFile(store, "t/part-0.parquet", "/tmp/part-0.parquet", { ifAbsent: false });
 * ```
 */
export async function putLocalFile(
  store: ObjectStore,
  key: string,
  path: string,
  options: ObjectStorePutOptions & { ifAbsent: boolean },
): Promise<ObjectInfo | undefined> {
  const { ifAbsent, ...putOptions } = options;
  if (ifAbsent) {
    if (store.putFileIfAbsent !== undefined) return store.putFileIfAbsent(key, path, putOptions);
    return store.putIfAbsent(key, await readFile(path, { signal: options.signal }), putOptions);
  }
  if (store.putFile !== undefined) return store.putFile(key, path, putOptions);
  return store.put(key, await readFile(path, { signal: options.signal }), putOptions);
}
