import type { DataFile, TableSnapshot } from "@controlroom/executor-kit";
import { IcebergError } from "./iceberg-error.js";
import type { IcebergDataFile } from "./iceberg-manifests.js";
import {
  type IcebergSnapshotEntry,
  type IcebergTableMetadata,
  schemaOf,
  specOf,
} from "./iceberg-metadata.js";
import { type IcebergPartitionSpec, partitionResultType } from "./iceberg-partition-spec.js";
import { partitionValueText } from "./iceberg-partition-values.js";
import { type IcebergSchema, toPortSchema } from "./iceberg-schema.js";

/**
 * One snapshot of an Iceberg table, in the TableFormat port's shape (`version` is the
 * snapshot's sequence number: 0 before the first snapshot; `schema` in the port's type
 * names) plus what Iceberg itself says about it.
 */
export interface IcebergSnapshot extends TableSnapshot {
  /** `undefined` when the table has no snapshot yet. */
  snapshotId: bigint | undefined;
  parentSnapshotId: bigint | undefined;
  sequenceNumber: number;
  /** When it was committed (`undefined` before the first snapshot). */
  timestamp: Date | undefined;
  /** The manifest list's URI (`undefined` before the first snapshot). */
  manifestList: string | undefined;
  /** The snapshot summary (`operation`, counters, `controlroom.*` provenance). */
  summary: Record<string, string>;
  /** The schema the snapshot was written with, with field ids and Iceberg types. */
  icebergSchema: IcebergSchema;
  /** The table's default partition spec. */
  partitionSpec: IcebergPartitionSpec;
  /** The live data files, with absolute paths and partition tuples. */
  dataFiles: IcebergDataFile[];
  /** The table's base URI. */
  tableLocation: string;
  /** The metadata file this was read from. */
  metadataLocation: string;
}

/** Builds an {@link IcebergSnapshot} from the metadata, a snapshot entry and its live files. */
export function buildIcebergSnapshot(
  metadata: IcebergTableMetadata,
  metadataLocation: string,
  entry: IcebergSnapshotEntry | undefined,
  dataFiles: IcebergDataFile[],
): IcebergSnapshot {
  const icebergSchema = schemaOf(metadata, entry?.schemaId ?? metadata.currentSchemaId);
  const partitionSpec = specOf(metadata, metadata.defaultSpecId);
  const prefix = `${metadata.location}/`;
  const files: DataFile[] = dataFiles.map((file) => {
    const spec = metadata.specs.find((candidate) => candidate.specId === file.specId);
    const partitionValues: Record<string, string | null> = {};
    for (const field of spec?.fields ?? []) {
      const source = icebergSchema.fields.find((candidate) => candidate.id === field.sourceId);
      partitionValues[field.name] = partitionValueText(
        file.partition.get(field.fieldId) ?? null,
        field.transform,
        partitionResultType(field.transform, source?.type ?? "int"),
      );
    }
    return {
      path: file.filePath.startsWith(prefix) ? file.filePath.slice(prefix.length) : file.filePath,
      sizeBytes: file.fileSizeInBytes,
      recordCount: file.recordCount,
      ...(spec === undefined || spec.fields.length === 0 ? {} : { partitionValues }),
    };
  });
  return {
    version: entry?.sequenceNumber ?? 0,
    schema: toPortSchema(icebergSchema),
    partitionColumns: partitionSpec.fields
      .filter((field) => field.transform === "identity")
      .map(
        (field) => icebergSchema.fields.find((f) => f.id === field.sourceId)?.name ?? field.name,
      ),
    files,
    properties: metadata.properties,
    snapshotId: entry?.snapshotId,
    parentSnapshotId: entry?.parentSnapshotId,
    sequenceNumber: entry?.sequenceNumber ?? 0,
    timestamp: entry === undefined ? undefined : new Date(entry.timestampMs),
    manifestList: entry?.manifestList,
    summary: entry?.summary ?? {},
    icebergSchema,
    partitionSpec,
    dataFiles,
    tableLocation: metadata.location,
    metadataLocation,
  };
}

/** Which snapshot to read: the current one, or one by id, sequence number or instant. */
export interface IcebergSnapshotSelector {
  /** Time travel to this snapshot id (a bigint or its decimal digits). @default undefined */
  snapshotId?: bigint | string | undefined;
  /** Time travel to the snapshot with this sequence number (0: before the first). @default undefined */
  version?: number | undefined;
  /** Time travel to the snapshot that was current at this instant (the snapshot log). @default undefined */
  timestamp?: Date | undefined;
}

/**
 * The snapshot entry `selector` names (`undefined` for a table without snapshots, or
 * for version 0), or `ICEBERG_SNAPSHOT_NOT_FOUND`. At most one of the fields may be set.
 */
export function selectSnapshot(
  metadata: IcebergTableMetadata,
  selector: IcebergSnapshotSelector,
  table: string,
): IcebergSnapshotEntry | undefined {
  const given = [selector.snapshotId, selector.version, selector.timestamp].filter(
    (value) => value !== undefined,
  );
  if (given.length > 1) {
    throw new IcebergError(
      "ICEBERG_INVALID_ARGUMENT",
      "give at most one of snapshotId, version and timestamp",
    );
  }
  const notFound = (what: string) =>
    new IcebergError("ICEBERG_SNAPSHOT_NOT_FOUND", `${table} has no snapshot ${what}`);
  if (selector.snapshotId !== undefined) {
    let id: bigint;
    try {
      id = BigInt(selector.snapshotId);
    } catch (cause) {
      throw new IcebergError(
        "ICEBERG_INVALID_ARGUMENT",
        `snapshotId ${String(selector.snapshotId)} is not an integer`,
        { cause },
      );
    }
    const found = metadata.snapshots.find((snapshot) => snapshot.snapshotId === id);
    if (found === undefined) throw notFound(`with id ${id}`);
    return found;
  }
  if (selector.version !== undefined) {
    if (selector.version === 0) return undefined;
    const found = metadata.snapshots.find((s) => s.sequenceNumber === selector.version);
    if (found === undefined) throw notFound(`with sequence number ${selector.version}`);
    return found;
  }
  if (selector.timestamp !== undefined) {
    const at = selector.timestamp.getTime();
    const entry = metadata.snapshotLog.filter((log) => log.timestampMs <= at).at(-1);
    if (entry === undefined) throw notFound(`at or before ${selector.timestamp.toISOString()}`);
    const found = metadata.snapshots.find((s) => s.snapshotId === entry.snapshotId);
    if (found === undefined) throw notFound(`${entry.snapshotId} (expired)`);
    return found;
  }
  if (metadata.currentSnapshotId === undefined) return undefined;
  const current = metadata.snapshots.find((s) => s.snapshotId === metadata.currentSnapshotId);
  if (current === undefined) {
    throw new IcebergError(
      "ICEBERG_INVALID_METADATA",
      `${table}: the current snapshot ${metadata.currentSnapshotId} is not in the snapshot list`,
    );
  }
  return current;
}
