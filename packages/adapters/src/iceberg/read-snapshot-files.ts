import type { ObjectStore } from "@controlroom/executor-kit";
import { mapWithLimit } from "../internal/map-with-limit.js";
import { IcebergError } from "./iceberg-error.js";
import {
  DELETED,
  type ManifestEntry,
  type ManifestFile,
  readManifest,
  readManifestList,
} from "./iceberg-manifests.js";
import type { IcebergSnapshotEntry } from "./iceberg-metadata.js";
import { readStoreFile } from "./read-iceberg-files.js";

/** A manifest of a snapshot with its entries. */
export interface LoadedManifest {
  manifest: ManifestFile;
  entries: ManifestEntry[];
}

/** Reads a snapshot's manifest list. */
export async function readSnapshotManifests(
  store: ObjectStore,
  snapshot: IcebergSnapshotEntry,
  signal?: AbortSignal,
): Promise<ManifestFile[]> {
  return readManifestList(
    await readStoreFile(store, snapshot.manifestList, signal),
    snapshot.manifestList,
  );
}

/** Reads the entries of each manifest (4 at a time). */
export async function loadManifests(
  store: ObjectStore,
  manifests: readonly ManifestFile[],
  signal?: AbortSignal,
): Promise<LoadedManifest[]> {
  return mapWithLimit(manifests, 4, async (manifest) => ({
    manifest,
    entries: readManifest(await readStoreFile(store, manifest.manifestPath, signal), manifest),
  }));
}

/**
 * The live data files of a snapshot: every entry of its data manifests that is not
 * DELETED. Live delete files (merge-on-read row deletes) are refused with
 * `ICEBERG_UNSUPPORTED_FEATURE`: ignoring them would return deleted rows.
 */
export async function liveEntries(
  store: ObjectStore,
  snapshot: IcebergSnapshotEntry,
  signal?: AbortSignal,
): Promise<ManifestEntry[]> {
  const loaded = await loadManifests(
    store,
    await readSnapshotManifests(store, snapshot, signal),
    signal,
  );
  return liveOf(loaded, String(snapshot.snapshotId));
}

/** The live entries of loaded manifests; refuses live delete files. */
export function liveOf(loaded: readonly LoadedManifest[], snapshot: string): ManifestEntry[] {
  const live: ManifestEntry[] = [];
  for (const { manifest, entries } of loaded) {
    for (const entry of entries) {
      if (entry.status === DELETED) continue;
      if (manifest.content !== 0 || entry.dataFile.content !== 0) {
        throw new IcebergError(
          "ICEBERG_UNSUPPORTED_FEATURE",
          `snapshot ${snapshot} has delete files (${entry.dataFile.filePath}); merge-on-read deletes are not supported`,
        );
      }
      live.push(entry);
    }
  }
  return live;
}
