import { avroName, avroTypeOf } from "./iceberg-avro-types.js";
import type { IcebergPartitionSpec } from "./iceberg-partition-spec.js";
import { partitionResultType } from "./iceberg-partition-spec.js";
import type { IcebergSchema } from "./iceberg-schema.js";

const optional = (name: string, id: number, type: unknown) => ({
  name,
  type: ["null", type],
  default: null,
  "field-id": id,
});

// Iceberg stores int-keyed maps as arrays of key/value records marked logicalType map.
const intMap = (name: string, id: number, keyId: number, valueId: number, value: unknown) =>
  optional(name, id, {
    type: "array",
    logicalType: "map",
    items: {
      type: "record",
      name: `k${keyId}_v${valueId}`,
      fields: [
        { name: "key", type: "int", "field-id": keyId },
        { name: "value", type: value, "field-id": valueId },
      ],
    },
  });

/**
 * The Avro schema of a partition tuple of `spec` (record `r102`): one optional field
 * per partition field, named for Avro and carrying its partition field id.
 */
export function partitionRecordSchema(schema: IcebergSchema, spec: IcebergPartitionSpec): unknown {
  return {
    type: "record",
    name: "r102",
    fields: spec.fields.map((field) => {
      const source = schema.fields.find((candidate) => candidate.id === field.sourceId);
      const type = partitionResultType(field.transform, source?.type ?? "int");
      return optional(avroName(field.name), field.fieldId, avroTypeOf(type, `p${field.fieldId}`));
    }),
  };
}

/**
 * The Avro schema of a v2 manifest entry (`manifest_entry`) for files of `spec`, with
 * the spec's field ids: status, snapshot id and sequence numbers (null = inherited from
 * the manifest list) and the `data_file` struct with its optional statistics maps.
 */
export function manifestEntrySchema(schema: IcebergSchema, spec: IcebergPartitionSpec): unknown {
  return {
    type: "record",
    name: "manifest_entry",
    fields: [
      { name: "status", type: "int", "field-id": 0 },
      optional("snapshot_id", 1, "long"),
      optional("sequence_number", 3, "long"),
      optional("file_sequence_number", 4, "long"),
      {
        name: "data_file",
        "field-id": 2,
        type: {
          type: "record",
          name: "r2",
          fields: [
            { name: "content", type: "int", "field-id": 134 },
            { name: "file_path", type: "string", "field-id": 100 },
            { name: "file_format", type: "string", "field-id": 101 },
            {
              name: "partition",
              type: partitionRecordSchema(schema, spec),
              "field-id": 102,
            },
            { name: "record_count", type: "long", "field-id": 103 },
            { name: "file_size_in_bytes", type: "long", "field-id": 104 },
            intMap("column_sizes", 108, 117, 118, "long"),
            intMap("value_counts", 109, 119, 120, "long"),
            intMap("null_value_counts", 110, 121, 122, "long"),
            intMap("nan_value_counts", 137, 138, 139, "long"),
            intMap("lower_bounds", 125, 126, 127, "bytes"),
            intMap("upper_bounds", 128, 129, 130, "bytes"),
            optional("key_metadata", 131, "bytes"),
            optional("split_offsets", 132, { type: "array", items: "long", "element-id": 133 }),
            optional("equality_ids", 135, { type: "array", items: "int", "element-id": 136 }),
            optional("sort_order_id", 140, "int"),
          ],
        },
      },
    ],
  };
}

/** The Avro schema of a v2 manifest list entry (`manifest_file`). */
export const MANIFEST_LIST_SCHEMA: unknown = {
  type: "record",
  name: "manifest_file",
  fields: [
    { name: "manifest_path", type: "string", "field-id": 500 },
    { name: "manifest_length", type: "long", "field-id": 501 },
    { name: "partition_spec_id", type: "int", "field-id": 502 },
    { name: "content", type: "int", "field-id": 517 },
    { name: "sequence_number", type: "long", "field-id": 515 },
    { name: "min_sequence_number", type: "long", "field-id": 516 },
    { name: "added_snapshot_id", type: "long", "field-id": 503 },
    { name: "added_files_count", type: "int", "field-id": 504 },
    { name: "existing_files_count", type: "int", "field-id": 505 },
    { name: "deleted_files_count", type: "int", "field-id": 506 },
    { name: "added_rows_count", type: "long", "field-id": 512 },
    { name: "existing_rows_count", type: "long", "field-id": 513 },
    { name: "deleted_rows_count", type: "long", "field-id": 514 },
    optional("partitions", 507, {
      type: "array",
      "element-id": 508,
      items: {
        type: "record",
        name: "r508",
        fields: [
          { name: "contains_null", type: "boolean", "field-id": 509 },
          optional("contains_nan", 518, "boolean"),
          optional("lower_bound", 510, "bytes"),
          optional("upper_bound", 511, "bytes"),
        ],
      },
    }),
    optional("key_metadata", 519, "bytes"),
  ],
};
