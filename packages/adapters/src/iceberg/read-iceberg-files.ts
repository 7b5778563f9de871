import { gunzipSync } from "node:zlib";
import type { ObjectStore } from "@controlroom/executor-kit";
import { IcebergError } from "./iceberg-error.js";
import { type IcebergTableMetadata, readTableMetadata } from "./iceberg-metadata.js";
import { parseLosslessJson } from "./lossless-json.js";
import { storeKeyOf } from "./store-uri.js";

/**
 * The bytes of the file at an absolute URI that Iceberg metadata names, read through
 * the store. A URI outside the store is `ICEBERG_UNSUPPORTED_FEATURE` (this adapter
 * reads one store); a missing file `ICEBERG_FILE_MISSING`.
 */
export async function readStoreFile(
  store: ObjectStore,
  uri: string,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const key = requireStoreKey(store, uri);
  const bytes = await store.get(key, { signal });
  if (bytes === undefined) {
    throw new IcebergError("ICEBERG_FILE_MISSING", `the table names ${uri}, which does not exist`);
  }
  return bytes;
}

/** The store key of `uri`, or an `ICEBERG_UNSUPPORTED_FEATURE` error when it is elsewhere. */
export function requireStoreKey(store: ObjectStore, uri: string): string {
  const key = storeKeyOf(store, uri);
  if (key === undefined) {
    throw new IcebergError(
      "ICEBERG_UNSUPPORTED_FEATURE",
      `${uri} is outside the object store (${store.uri("")}): this adapter reads one store`,
    );
  }
  return key;
}

/**
 * Reads and parses a table metadata file (gzip-compressed ones too, as Java may write
 * them), keeping 64-bit ids exact.
 */
export async function readMetadataFile(
  store: ObjectStore,
  uri: string,
  signal?: AbortSignal,
): Promise<IcebergTableMetadata> {
  let bytes = await readStoreFile(store, uri, signal);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  return readTableMetadata(parseLosslessJson(new TextDecoder().decode(bytes), uri), uri);
}
