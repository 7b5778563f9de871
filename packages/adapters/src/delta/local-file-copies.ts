import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ObjectStore } from "@controlroom/executor-kit";
import { DeltaProtocolError } from "./delta-protocol-error.js";

/** Local paths for objects, and how to delete the copies made for them. */
export interface LocalFileCopies {
  paths: string[];
  dispose(): Promise<void>;
}

/**
 * Local file paths DuckDB can read for `keys`: the files themselves when the store is
 * a local directory (its `uri()` is `file://`), else copies downloaded into a
 * temporary directory. A missing object is a {@link DeltaProtocolError}
 * (`DELTA_DATA_FILE_MISSING`): the log lists a file that is not there.
 *
 * @example
 * ```ts
 * const copies = await localFileCopies(store, ["t/part-0.parquet"]);
 * try { await session.all(`SELECT count(*) FROM read_parquet('${copies.paths[0]}')`); } finally { await copies.dispose(); }
 * ```
 */
export async function localFileCopies(
  store: ObjectStore,
  keys: readonly string[],
  signal?: AbortSignal,
): Promise<LocalFileCopies> {
  const paths: string[] = new Array(keys.length);
  // One promise, so that parallel downloads share one temporary directory.
  let tempDir: Promise<string> | undefined;
  const dispose = async () => {
    if (tempDir !== undefined) await rm(await tempDir, { recursive: true, force: true });
  };
  try {
    await mapLimit(keys, 8, async (key, index) => {
      const uri = store.uri(key);
      if (uri.startsWith("file:")) {
        if ((await store.stat(key, { signal })) === undefined) throw missing(key);
        paths[index] = fileURLToPath(uri);
        return;
      }
      const bytes = await store.get(key, { signal });
      if (bytes === undefined) throw missing(key);
      tempDir ??= mkdtemp(join(tmpdir(), "controlroom-delta-"));
      const path = join(await tempDir, `${index}.parquet`);
      await writeFile(path, bytes);
      paths[index] = path;
    });
  } catch (error) {
    await dispose();
    throw error;
  }
  return { paths, dispose };
}

function missing(key: string): DeltaProtocolError {
  return new DeltaProtocolError(`data file missing: the log lists "${key}", which does not exist`, {
    code: "DELTA_DATA_FILE_MISSING",
  });
}

async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  run: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await run(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
