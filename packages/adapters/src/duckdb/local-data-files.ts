import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ObjectStore } from "@controlroom/executor-kit";
import { DuckDbError } from "./duckdb-error.js";

/** Local paths for a list of objects, and how to delete the copies made for them. */
export interface LocalDataFiles {
  paths: string[];
  dispose(): Promise<void>;
}

/** How {@link localDataFiles} finds or makes local copies. */
export interface LocalDataFilesOptions {
  /** Maps a key to a local path DuckDB can read, or `undefined` to download it. */
  localPathOf: (key: string) => string | undefined;
  /** Where downloads go (a fresh directory inside it). */
  tempDirectory: string | undefined;
  signal: AbortSignal | undefined;
}

const PARALLEL_DOWNLOADS = 8;

/**
 * Local paths DuckDB can read for `keys`: the objects' own files when
 * `localPathOf` knows them, else copies downloaded (8 at a time) into a fresh
 * temporary directory that `dispose()` deletes. DuckDB here has no httpfs extension,
 * so remote objects must be local files before it can scan them.
 *
 * @example
 * ```ts
 * const files = await localDataFiles(store, ["t/part-0.parquet"], { localPathOf: () => undefined, tempDirectory: undefined, signal: undefined });
 * await files.dispose();
 * ```
 */
export async function localDataFiles(
  store: ObjectStore,
  keys: readonly string[],
  options: LocalDataFilesOptions,
): Promise<LocalDataFiles> {
  const paths: string[] = new Array(keys.length);
  let directory: Promise<string> | undefined;
  const dispose = async () => {
    if (directory !== undefined) await rm(await directory, { recursive: true, force: true });
  };
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const index = next++;
      const key = keys[index] as string;
      const local = options.localPathOf(key);
      if (local !== undefined) {
        paths[index] = local;
        continue;
      }
      const bytes = await store.get(key, { signal: options.signal });
      if (bytes === undefined) {
        throw new DuckDbError(
          "DUCKDB_INVALID_ARGUMENT",
          `data file missing: the snapshot lists ${store.uri(key)}, which does not exist`,
        );
      }
      // One promise, so that parallel downloads share one directory.
      directory ??= mkdtemp(join(options.tempDirectory ?? tmpdir(), "controlroom-duckdb-"));
      const path = join(await directory, `${index}.parquet`);
      await writeFile(path, bytes);
      paths[index] = path;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(PARALLEL_DOWNLOADS, keys.length) }, worker));
  } catch (error) {
    await dispose();
    throw error;
  }
  return { paths, dispose };
}

/**
 * The default `localPathOf`: the file behind a `file://` URI, else `undefined`.
 *
 * @example
 * ```ts
 * const path = fileUriPath(store)("t/part-0.parquet"); // "/data/lake/t/part-0.parquet" for a local store
 * ```
 */
export function fileUriPath(store: ObjectStore): (key: string) => string | undefined {
  return (key) => {
    const uri = store.uri(key);
    return uri.startsWith("file:") ? fileURLToPath(uri) : undefined;
  };
}
