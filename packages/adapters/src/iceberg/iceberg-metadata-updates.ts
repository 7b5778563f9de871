import { randomUUID } from "node:crypto";
import {
  type IcebergTableMetadata,
  type JsonObject,
  schemaJson,
  specJson,
} from "./iceberg-metadata.js";
import { FIRST_PARTITION_FIELD_ID, type IcebergPartitionSpec } from "./iceberg-partition-spec.js";
import type { IcebergSchema } from "./iceberg-schema.js";
import type { LosslessJson } from "./lossless-json.js";

/** What a new table's first metadata file holds. */
export interface NewTableMetadata {
  /** The table's base URI. */
  location: string;
  schema: IcebergSchema;
  spec: IcebergPartitionSpec;
  properties: Record<string, string>;
  nowMs: number;
}

/**
 * The JSON of a new table's first metadata file (format version 2, no snapshot):
 * schema 0, spec 0, the unsorted order 0. `current-snapshot-id` is -1, which every
 * reader (old Java ones too) takes for "none".
 */
export function newTableMetadataJson(table: NewTableMetadata): JsonObject {
  const lastPartitionId = Math.max(
    FIRST_PARTITION_FIELD_ID - 1,
    ...table.spec.fields.map((field) => field.fieldId),
  );
  return {
    "format-version": 2,
    "table-uuid": randomUUID(),
    location: table.location,
    "last-sequence-number": 0,
    "last-updated-ms": table.nowMs,
    "last-column-id": Math.max(...table.schema.fields.map((field) => field.id)),
    "current-schema-id": table.schema.schemaId ?? 0,
    schemas: [schemaJson(table.schema)],
    "default-spec-id": table.spec.specId,
    "partition-specs": [specJson(table.spec)],
    "last-partition-id": lastPartitionId,
    "default-sort-order-id": 0,
    "sort-orders": [{ "order-id": 0, fields: [] }],
    properties: table.properties,
    "current-snapshot-id": -1,
    refs: {},
    snapshots: [],
    statistics: [],
    "partition-statistics": [],
    "snapshot-log": [],
    "metadata-log": [],
  };
}

/** A snapshot to add, as {@link withSnapshot} records it. */
export interface NewSnapshot {
  snapshotId: bigint;
  parentSnapshotId: bigint | undefined;
  sequenceNumber: number;
  timestampMs: number;
  manifestList: string;
  summary: Record<string, string>;
  schemaId: number;
}

/**
 * The next metadata JSON after committing `snapshot` on top of `base` (read from
 * `baseLocation`): the snapshot appended and made current on `main`, the sequence
 * number and update time advanced, the snapshot log and the metadata log (the base
 * file, capped at `write.metadata.previous-versions-max`, default 100) extended.
 * Everything else in the base JSON is kept as it was.
 */
export function withSnapshot(
  base: IcebergTableMetadata,
  baseLocation: string,
  snapshot: NewSnapshot,
): JsonObject {
  const raw = base.raw;
  const snapshotJson: JsonObject = {
    "snapshot-id": snapshot.snapshotId,
    ...(snapshot.parentSnapshotId === undefined
      ? {}
      : { "parent-snapshot-id": snapshot.parentSnapshotId }),
    "sequence-number": snapshot.sequenceNumber,
    "timestamp-ms": snapshot.timestampMs,
    "manifest-list": snapshot.manifestList,
    summary: snapshot.summary,
    "schema-id": snapshot.schemaId,
  };
  const keep = Number(base.properties["write.metadata.previous-versions-max"] ?? 100);
  const metadataLog = [
    ...((raw["metadata-log"] as LosslessJson[] | undefined) ?? []),
    { "timestamp-ms": base.lastUpdatedMs, "metadata-file": baseLocation },
  ].slice(-Math.max(1, Number.isSafeInteger(keep) ? keep : 100));
  return {
    ...raw,
    "last-sequence-number": snapshot.sequenceNumber,
    "last-updated-ms": snapshot.timestampMs,
    "current-snapshot-id": snapshot.snapshotId,
    refs: {
      ...((raw.refs as JsonObject | undefined) ?? {}),
      main: { "snapshot-id": snapshot.snapshotId, type: "branch" },
    },
    snapshots: [...((raw.snapshots as LosslessJson[] | undefined) ?? []), snapshotJson],
    "snapshot-log": [
      ...((raw["snapshot-log"] as LosslessJson[] | undefined) ?? []),
      { "timestamp-ms": snapshot.timestampMs, "snapshot-id": snapshot.snapshotId },
    ],
    "metadata-log": metadataLog,
  };
}

/**
 * Where the next metadata file goes: `<table>/metadata/<NNNNN>-<uuid>.metadata.json`,
 * the number one past the base file's (0 for a new table), as Java and PyIceberg name
 * them.
 */
export function nextMetadataFileName(baseLocation: string | undefined): string {
  const match =
    baseLocation === undefined ? null : /(\d+)-[^/]*\.metadata\.json(?:\.gz)?$/.exec(baseLocation);
  const version =
    baseLocation === undefined ? 0 : match === null ? Date.now() : Number(match[1]) + 1;
  return `${String(version).padStart(5, "0")}-${randomUUID()}.metadata.json`;
}
