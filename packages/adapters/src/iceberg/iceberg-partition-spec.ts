import { IcebergError } from "./iceberg-error.js";
import type { IcebergField, IcebergSchema } from "./iceberg-schema.js";

/** One field of a partition spec, as the table metadata records it. */
export interface IcebergPartitionField {
  /** The schema field the value is derived from. */
  sourceId: number;
  /** The partition field's own id (1000 and up). */
  fieldId: number;
  name: string;
  /** `identity`, `year`, `month`, `day`, `hour`, `bucket[N]`, `truncate[W]` or `void`. */
  transform: string;
}

/** A partition spec: how rows are grouped into files. */
export interface IcebergPartitionSpec {
  specId: number;
  fields: IcebergPartitionField[];
}

/** How {@link buildPartitionSpec} is told a partition field: a column and a transform. */
export interface PartitionFieldInput {
  /** The source column, by name or field id. */
  source: string | number;
  /** @default "identity" */
  transform?: string | undefined;
  /** @default the column name, or `<column>_<transform>` (`day_day`, `id_bucket`) as Java names them */
  name?: string | undefined;
}

/** The first partition field id, by the spec (ids below are schema fields). */
export const FIRST_PARTITION_FIELD_ID = 1000;

const TIME_SOURCES = new Set(["date", "timestamp", "timestamptz"]);

/**
 * Builds spec 0 of a new table from `fields`, assigning field ids from 1000 and
 * checking each transform fits its source column's type.
 *
 * @example
 * ```ts
 * buildPartitionSpec(schema, [{ source: "at", transform: "day" }]);
 * // { specId: 0, fields: [{ sourceId: 3, fieldId: 1000, name: "at_day", transform: "day" }] }
 * ```
 */
export function buildPartitionSpec(
  schema: IcebergSchema,
  fields: readonly PartitionFieldInput[],
): IcebergPartitionSpec {
  const names = new Set<string>();
  const result = fields.map((input, index): IcebergPartitionField => {
    const source = schema.fields.find((field) =>
      typeof input.source === "number" ? field.id === input.source : field.name === input.source,
    );
    if (source === undefined) {
      throw invalid(`partition source column ${JSON.stringify(input.source)} is not in the schema`);
    }
    const transform = normalizeTransform(input.transform ?? "identity");
    checkTransform(transform, source);
    const name = input.name ?? defaultName(source.name, transform);
    if (names.has(name)) throw invalid(`partition field name "${name}" is used twice`);
    const clash = schema.fields.find((field) => field.name === name);
    if (clash !== undefined && !(transform === "identity" && clash.id === source.id)) {
      throw invalid(`partition field name "${name}" is a different column's name`);
    }
    names.add(name);
    return { sourceId: source.id, fieldId: FIRST_PARTITION_FIELD_ID + index, name, transform };
  });
  return { specId: 0, fields: result };
}

/**
 * The canonical spelling of a transform (`Bucket[ 16 ]` → `bucket[16]`); throws for an
 * unknown one.
 */
export function normalizeTransform(transform: string): string {
  const text = transform.trim().toLowerCase().replace(/\s+/g, "");
  if (["identity", "year", "month", "day", "hour", "void"].includes(text)) return text;
  const parameterised = /^(bucket|truncate)\[(\d+)\]$/.exec(text);
  if (parameterised !== null && Number(parameterised[2]) > 0) {
    return `${parameterised[1]}[${Number(parameterised[2])}]`;
  }
  throw invalid(`unknown partition transform "${transform}"`);
}

/**
 * The Iceberg type of a partition field's values (what manifests store): the source
 * type for `identity`, `truncate` and `void`; `int` for `year`, `month`, `hour` and
 * `bucket`; `date` for `day` (as Java and PyIceberg write it).
 */
export function partitionResultType(transform: string, sourceType: string): string {
  if (transform === "identity" || transform === "void" || transform.startsWith("truncate[")) {
    return sourceType;
  }
  return transform === "day" ? "date" : "int";
}

function checkTransform(transform: string, source: IcebergField): void {
  const type = source.type;
  const ok =
    transform === "identity" || transform === "void"
      ? true
      : transform === "hour"
        ? type === "timestamp" || type === "timestamptz"
        : ["year", "month", "day"].includes(transform)
          ? TIME_SOURCES.has(type)
          : transform.startsWith("truncate[")
            ? ["int", "long", "string", "binary"].includes(type) || type.startsWith("decimal")
            : !["float", "double", "boolean"].includes(type);
  if (!ok) throw invalid(`cannot partition column "${source.name}" (${type}) by ${transform}`);
}

function defaultName(source: string, transform: string): string {
  if (transform === "identity") return source;
  if (transform.startsWith("bucket[")) return `${source}_bucket`;
  if (transform.startsWith("truncate[")) return `${source}_trunc`;
  if (transform === "void") return `${source}_null`;
  return `${source}_${transform}`;
}

function invalid(reason: string): IcebergError {
  return new IcebergError("ICEBERG_INVALID_ARGUMENT", reason);
}
