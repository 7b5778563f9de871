import { type AvroContainer, readAvroContainer, writeAvroContainer } from "./avro-container.js";
import type { AvroValue } from "./avro-datum.js";
import { avroFieldIds } from "./avro-field-ids.js";
import { avroName } from "./iceberg-avro-types.js";
import { IcebergError } from "./iceberg-error.js";
import { MANIFEST_LIST_SCHEMA, manifestEntrySchema } from "./iceberg-manifest-schemas.js";
import { schemaJson, specJson } from "./iceberg-metadata.js";
import type { IcebergPartitionSpec } from "./iceberg-partition-spec.js";
import type { IcebergSchema } from "./iceberg-schema.js";
import { stringifyLosslessJson } from "./lossless-json.js";

/** One entry of a manifest list: a manifest and its counters. */
export interface ManifestFile {
  manifestPath: string;
  manifestLength: bigint;
  partitionSpecId: number;
  /** 0 data, 1 deletes. */
  content: number;
  sequenceNumber: bigint;
  minSequenceNumber: bigint;
  addedSnapshotId: bigint;
  addedFilesCount: number;
  existingFilesCount: number;
  deletedFilesCount: number;
  addedRowsCount: bigint;
  existingRowsCount: bigint;
  deletedRowsCount: bigint;
  /** Partition field summaries (`r508` records) as decoded, kept when the manifest is reused. */
  partitions: AvroValue | null;
  keyMetadata: Uint8Array | null;
}

/** A data (or delete) file as a manifest records it. */
export interface IcebergDataFile {
  /** 0 data, 1 position deletes, 2 equality deletes. */
  content: number;
  /** Absolute URI. */
  filePath: string;
  /** `PARQUET`, `AVRO` or `ORC`. */
  fileFormat: string;
  /** The partition spec the file was written with. */
  specId: number;
  /** Partition values by partition field id, as Avro values (dates as day numbers…). */
  partition: Map<number, AvroValue>;
  recordCount: number;
  fileSizeInBytes: number;
  /** The whole decoded `data_file` record (statistics too), kept when it is rewritten. */
  record: { [key: string]: AvroValue };
}

/** One manifest entry, with inherited snapshot id and sequence numbers filled in. */
export interface ManifestEntry {
  /** 0 existing, 1 added, 2 deleted. */
  status: number;
  snapshotId: bigint;
  sequenceNumber: bigint;
  fileSequenceNumber: bigint;
  dataFile: IcebergDataFile;
}

/** Entry statuses, by the spec. */
export const EXISTING = 0;
export const ADDED = 1;
export const DELETED = 2;

/**
 * Reads a manifest list (v2), finding fields by id.
 *
 * @example
 * ```ts
 * const manifests = readManifestList(await store.get(key), snapshot.manifestList);
 * ```
 */
export function readManifestList(bytes: Uint8Array, where: string): ManifestFile[] {
  const container = readAvroContainer(bytes, where);
  const get = accessor(container, where);
  return container.records.map((record) => ({
    manifestPath: get.string(record, 500),
    manifestLength: get.long(record, 501),
    partitionSpecId: get.int(record, 502),
    content: get.int(record, 517, 0),
    sequenceNumber: get.long(record, 515, 0n),
    minSequenceNumber: get.long(record, 516, 0n),
    addedSnapshotId: get.long(record, 503),
    addedFilesCount: get.int(record, 504, 0),
    existingFilesCount: get.int(record, 505, 0),
    deletedFilesCount: get.int(record, 506, 0),
    addedRowsCount: get.long(record, 512, 0n),
    existingRowsCount: get.long(record, 513, 0n),
    deletedRowsCount: get.long(record, 514, 0n),
    partitions: get.value(record, 507) ?? null,
    keyMetadata: (get.value(record, 519) as Uint8Array | null | undefined) ?? null,
  }));
}

/**
 * Reads a manifest's entries, taking null snapshot ids and sequence numbers from the
 * manifest list entry (the spec's inheritance: an added file's sequence number is the
 * one of the snapshot that committed it).
 */
export function readManifest(bytes: Uint8Array, manifest: ManifestFile): ManifestEntry[] {
  const where = manifest.manifestPath;
  const container = readAvroContainer(bytes, where);
  const get = accessor(container, where);
  const dataFileField = avroFieldIds(container.schema).get(2);
  if (dataFileField === undefined) invalid(where, "no data_file field (id 2)");
  const dataFileIds = avroFieldIds(dataFileField.type);
  const partitionField = dataFileIds.get(102);
  const partitionIds = avroFieldIds(partitionField?.type);
  const specId = Number(container.metadata["partition-spec-id"] ?? manifest.partitionSpecId);
  const byId = (record: { [key: string]: AvroValue }, id: number) => {
    const field = dataFileIds.get(id);
    return field === undefined ? undefined : record[field.name];
  };
  return container.records.map((record) => {
    const entry = record as { [key: string]: AvroValue };
    const file = get.value(entry, 2) as { [key: string]: AvroValue };
    const partitionRecord = (byId(file, 102) ?? {}) as { [key: string]: AvroValue };
    const partition = new Map<number, AvroValue>();
    for (const [id, field] of partitionIds) partition.set(id, partitionRecord[field.name] ?? null);
    const sequenceNumber = (get.value(entry, 3) as bigint | null) ?? manifest.sequenceNumber;
    return {
      status: get.int(entry, 0),
      snapshotId: (get.value(entry, 1) as bigint | null) ?? manifest.addedSnapshotId,
      sequenceNumber,
      fileSequenceNumber: (get.value(entry, 4) as bigint | null) ?? sequenceNumber,
      dataFile: {
        content: Number(byId(file, 134) ?? manifest.content),
        filePath: String(byId(file, 100)),
        fileFormat: String(byId(file, 101)),
        specId,
        partition,
        recordCount: Number(byId(file, 103)),
        fileSizeInBytes: Number(byId(file, 104)),
        record: file,
      },
    };
  });
}

/** An entry to write with {@link writeManifest}. */
export interface ManifestEntryToWrite {
  status: number;
  /** `undefined` for added entries: inherited from the manifest list. */
  snapshotId: bigint | undefined;
  sequenceNumber: bigint | undefined;
  fileSequenceNumber: bigint | undefined;
  dataFile: IcebergDataFile;
}

/**
 * Encodes a v2 data manifest for files of `spec`: the entry schema with every field id,
 * and the header Iceberg readers expect (`schema`, `schema-id`, `partition-spec`,
 * `partition-spec-id`, `format-version`, `content`).
 */
export function writeManifest(
  schema: IcebergSchema,
  spec: IcebergPartitionSpec,
  entries: readonly ManifestEntryToWrite[],
): Uint8Array {
  const records = entries.map((entry) => {
    const partition: Record<string, AvroValue> = {};
    for (const field of spec.fields) {
      partition[avroName(field.name)] = entry.dataFile.partition.get(field.fieldId) ?? null;
    }
    return {
      status: entry.status,
      snapshot_id: entry.snapshotId ?? null,
      sequence_number: entry.sequenceNumber ?? null,
      file_sequence_number: entry.fileSequenceNumber ?? null,
      data_file: {
        ...entry.dataFile.record,
        content: entry.dataFile.content,
        file_path: entry.dataFile.filePath,
        file_format: entry.dataFile.fileFormat,
        partition,
        record_count: BigInt(entry.dataFile.recordCount),
        file_size_in_bytes: BigInt(entry.dataFile.fileSizeInBytes),
      },
    };
  });
  return writeAvroContainer(manifestEntrySchema(schema, spec), records, {
    metadata: {
      schema: stringifyLosslessJson(schemaJson(schema)),
      "schema-id": String(schema.schemaId ?? 0),
      "partition-spec": stringifyLosslessJson(specJson(spec).fields),
      "partition-spec-id": String(spec.specId),
      "format-version": "2",
      content: "data",
    },
  });
}

/** Encodes a v2 manifest list, with the snapshot's id, parent and sequence number in its header. */
export function writeManifestList(
  manifests: readonly ManifestFile[],
  header: { snapshotId: bigint; parentSnapshotId: bigint | undefined; sequenceNumber: number },
): Uint8Array {
  const records = manifests.map((manifest) => ({
    manifest_path: manifest.manifestPath,
    manifest_length: manifest.manifestLength,
    partition_spec_id: manifest.partitionSpecId,
    content: manifest.content,
    sequence_number: manifest.sequenceNumber,
    min_sequence_number: manifest.minSequenceNumber,
    added_snapshot_id: manifest.addedSnapshotId,
    added_files_count: manifest.addedFilesCount,
    existing_files_count: manifest.existingFilesCount,
    deleted_files_count: manifest.deletedFilesCount,
    added_rows_count: manifest.addedRowsCount,
    existing_rows_count: manifest.existingRowsCount,
    deleted_rows_count: manifest.deletedRowsCount,
    partitions: manifest.partitions,
    key_metadata: manifest.keyMetadata,
  }));
  return writeAvroContainer(MANIFEST_LIST_SCHEMA, records, {
    metadata: {
      "snapshot-id": header.snapshotId.toString(),
      "parent-snapshot-id": header.parentSnapshotId?.toString() ?? "null",
      "sequence-number": String(header.sequenceNumber),
      "format-version": "2",
    },
  });
}

// Typed access to a decoded record's fields by field id (names differ between writers).
function accessor(container: AvroContainer, where: string) {
  const ids = avroFieldIds(container.schema);
  const value = (record: AvroValue, id: number): AvroValue | undefined => {
    const field = ids.get(id);
    return field === undefined ? undefined : (record as { [key: string]: AvroValue })[field.name];
  };
  return {
    value,
    string(record: AvroValue, id: number): string {
      const found = value(record, id);
      if (typeof found !== "string") invalid(where, `field ${id} is missing or not a string`);
      return found;
    },
    int(record: AvroValue, id: number, fallback?: number): number {
      const found = value(record, id) ?? fallback;
      if (typeof found !== "number") invalid(where, `field ${id} is missing or not an int`);
      return found;
    },
    long(record: AvroValue, id: number, fallback?: bigint): bigint {
      const found = value(record, id) ?? fallback;
      if (typeof found === "number") return BigInt(found);
      if (typeof found !== "bigint") invalid(where, `field ${id} is missing or not a long`);
      return found;
    },
  };
}

function invalid(where: string, reason: string): never {
  throw new IcebergError("ICEBERG_INVALID_METADATA", `${where}: ${reason}`);
}
