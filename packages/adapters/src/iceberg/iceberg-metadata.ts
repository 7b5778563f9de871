import { IcebergError } from "./iceberg-error.js";
import type { IcebergPartitionSpec } from "./iceberg-partition-spec.js";
import type { IcebergSchema } from "./iceberg-schema.js";
import { normalizeIcebergType } from "./iceberg-schema.js";
import type { LosslessJson } from "./lossless-json.js";

/** A JSON object as parsed losslessly (64-bit ids as bigints). */
export type JsonObject = { [key: string]: LosslessJson };

/** One snapshot of the table, as its metadata lists it. */
export interface IcebergSnapshotEntry {
  /** A random 63-bit id: a bigint, never a rounded number. */
  snapshotId: bigint;
  parentSnapshotId: bigint | undefined;
  sequenceNumber: number;
  timestampMs: number;
  /** The manifest list's absolute URI. */
  manifestList: string;
  /** `operation` and the writer's counters; ours add `controlroom.*` provenance. */
  summary: Record<string, string>;
  /** The schema current when it was written. */
  schemaId: number | undefined;
}

/**
 * A table's metadata file, read (format version 2). `raw` is the file's JSON as
 * parsed: updates start from it, so fields this adapter does not model (statistics
 * files, other engines' properties) are kept.
 */
export interface IcebergTableMetadata {
  raw: JsonObject;
  tableUuid: string;
  /** The table's base URI (data and metadata live under it). */
  location: string;
  lastSequenceNumber: number;
  lastUpdatedMs: number;
  lastColumnId: number;
  currentSchemaId: number;
  defaultSpecId: number;
  specs: IcebergPartitionSpec[];
  lastPartitionId: number;
  properties: Record<string, string>;
  currentSnapshotId: bigint | undefined;
  snapshots: IcebergSnapshotEntry[];
  /** `(timestamp, snapshot)` of each change of the current snapshot, oldest first. */
  snapshotLog: { timestampMs: number; snapshotId: bigint }[];
}

/**
 * Reads a metadata file's parsed JSON into {@link IcebergTableMetadata}. Format
 * versions 1 and 3 are refused (`ICEBERG_UNSUPPORTED_FEATURE`); missing required
 * fields are `ICEBERG_INVALID_METADATA`.
 *
 * @example
 * ```ts
 * const metadata = readTableMetadata(parseLosslessJson(text), "s3://lake/t/metadata/00001-….metadata.json");
 * ```
 */
export function readTableMetadata(json: LosslessJson, where: string): IcebergTableMetadata {
  const raw = object(json, where);
  const version = raw["format-version"];
  if (version !== 2) {
    throw new IcebergError(
      "ICEBERG_UNSUPPORTED_FEATURE",
      `${where}: format-version ${String(version)} is not supported (only 2)`,
    );
  }
  const field = (key: string) => {
    const value = raw[key];
    if (value === undefined || value === null) invalid(where, `no "${key}"`);
    return value as LosslessJson;
  };
  const currentSnapshot = raw["current-snapshot-id"];
  // Absent, null and -1 all mean "no snapshot" (Java wrote -1 for years).
  const current =
    currentSnapshot === undefined || currentSnapshot === null
      ? undefined
      : bigint(currentSnapshot, where, "current-snapshot-id");
  const currentSnapshotId = current === -1n ? undefined : current;
  return {
    raw,
    tableUuid: String(field("table-uuid")),
    location: String(field("location")).replace(/\/+$/, ""),
    lastSequenceNumber: int(field("last-sequence-number"), where, "last-sequence-number"),
    lastUpdatedMs: int(field("last-updated-ms"), where, "last-updated-ms"),
    lastColumnId: int(field("last-column-id"), where, "last-column-id"),
    currentSchemaId: int(field("current-schema-id"), where, "current-schema-id"),
    defaultSpecId: int(field("default-spec-id"), where, "default-spec-id"),
    specs: array(field("partition-specs"), where).map((spec) => readSpec(spec, where)),
    lastPartitionId: int(field("last-partition-id"), where, "last-partition-id"),
    properties: Object.fromEntries(
      Object.entries(object(raw.properties ?? {}, where)).map(([k, v]) => [k, String(v)]),
    ),
    currentSnapshotId,
    snapshots: array(raw.snapshots ?? [], where).map((snapshot) => readSnapshot(snapshot, where)),
    snapshotLog: array(raw["snapshot-log"] ?? [], where).map((entry) => {
      const item = object(entry, where);
      return {
        timestampMs: int(item["timestamp-ms"], where, "snapshot-log timestamp-ms"),
        snapshotId: bigint(item["snapshot-id"], where, "snapshot-log snapshot-id"),
      };
    }),
  };
}

/**
 * The schema with id `schemaId`, typed. Columns of nested types are refused
 * (`ICEBERG_UNSUPPORTED_FEATURE`): this adapter reads and writes flat tables.
 */
export function schemaOf(metadata: IcebergTableMetadata, schemaId: number): IcebergSchema {
  const where = `table ${metadata.location}`;
  const raw = array(metadata.raw.schemas ?? [], where)
    .map((schema) => object(schema, where))
    .find((schema) => int(schema["schema-id"] ?? 0, where, "schema-id") === schemaId);
  if (raw === undefined) invalid(where, `no schema with id ${schemaId}`);
  return {
    schemaId,
    identifierFieldIds: array(raw["identifier-field-ids"] ?? [], where).map((id) =>
      int(id, where, "identifier-field-ids"),
    ),
    fields: array(raw.fields, where).map((entry) => {
      const item = object(entry, where);
      const name = String(item.name);
      if (typeof item.type !== "string") {
        throw new IcebergError(
          "ICEBERG_UNSUPPORTED_FEATURE",
          `${where}: column "${name}" has a nested type; only primitive columns are supported`,
        );
      }
      return {
        id: int(item.id, where, "field id"),
        name,
        type: normalizeIcebergType(item.type),
        required: item.required === true,
        ...(typeof item.doc === "string" ? { doc: item.doc } : {}),
      };
    }),
  };
}

/** The partition spec with id `specId`. */
export function specOf(metadata: IcebergTableMetadata, specId: number): IcebergPartitionSpec {
  const spec = metadata.specs.find((candidate) => candidate.specId === specId);
  if (spec === undefined) invalid(`table ${metadata.location}`, `no partition spec ${specId}`);
  return spec;
}

/** A schema as metadata JSON writes it. */
export function schemaJson(schema: IcebergSchema): JsonObject {
  return {
    type: "struct",
    "schema-id": schema.schemaId ?? 0,
    "identifier-field-ids": schema.identifierFieldIds ?? [],
    fields: schema.fields.map((field) => ({
      id: field.id,
      name: field.name,
      required: field.required,
      type: field.type,
      ...(field.doc === undefined ? {} : { doc: field.doc }),
    })),
  };
}

/** A partition spec as metadata JSON (and manifest headers) write it. */
export function specJson(spec: IcebergPartitionSpec): JsonObject {
  return {
    "spec-id": spec.specId,
    fields: spec.fields.map((field) => ({
      name: field.name,
      transform: field.transform,
      "source-id": field.sourceId,
      "field-id": field.fieldId,
    })),
  };
}

function readSpec(json: LosslessJson, where: string): IcebergPartitionSpec {
  const spec = object(json, where);
  return {
    specId: int(spec["spec-id"], where, "spec-id"),
    fields: array(spec.fields, where).map((entry) => {
      const item = object(entry, where);
      return {
        sourceId: int(item["source-id"], where, "source-id"),
        fieldId: int(item["field-id"], where, "field-id"),
        name: String(item.name),
        transform: String(item.transform),
      };
    }),
  };
}

function readSnapshot(json: LosslessJson, where: string): IcebergSnapshotEntry {
  const item = object(json, where);
  const parent = item["parent-snapshot-id"];
  if (typeof item["manifest-list"] !== "string") {
    throw new IcebergError(
      "ICEBERG_UNSUPPORTED_FEATURE",
      `${where}: a snapshot without a manifest list (format v1 "manifests") is not supported`,
    );
  }
  return {
    snapshotId: bigint(item["snapshot-id"], where, "snapshot-id"),
    parentSnapshotId:
      parent === undefined || parent === null ? undefined : bigint(parent, where, "parent"),
    sequenceNumber: int(item["sequence-number"] ?? 0, where, "sequence-number"),
    timestampMs: int(item["timestamp-ms"], where, "timestamp-ms"),
    manifestList: item["manifest-list"],
    summary: Object.fromEntries(
      Object.entries(object(item.summary ?? {}, where)).map(([k, v]) => [k, String(v)]),
    ),
    schemaId:
      item["schema-id"] === undefined || item["schema-id"] === null
        ? undefined
        : int(item["schema-id"], where, "schema-id"),
  };
}

function object(value: LosslessJson | undefined, where: string): JsonObject {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return invalid(where, "expected a JSON object");
  }
  return value as JsonObject;
}

function array(value: LosslessJson | undefined, where: string): LosslessJson[] {
  if (!Array.isArray(value)) return invalid(where, "expected a JSON array");
  return value;
}

function int(value: LosslessJson | undefined, where: string, what: string): number {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  return invalid(where, `${what} is not an integer`);
}

function bigint(value: LosslessJson | undefined, where: string, what: string): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  return invalid(where, `${what} is not an integer`);
}

function invalid(where: string, reason: string): never {
  throw new IcebergError("ICEBERG_INVALID_METADATA", `${where}: ${reason}`);
}
