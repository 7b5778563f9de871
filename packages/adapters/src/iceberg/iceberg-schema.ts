import type { TableField, TableSchema } from "@controlroom/executor-kit";
import { IcebergError } from "./iceberg-error.js";

/**
 * One column of an Iceberg schema. `type` is an Iceberg primitive type as the spec
 * writes it: `boolean`, `int`, `long`, `float`, `double`, `decimal(P, S)`, `date`,
 * `time`, `timestamp` (no zone), `timestamptz`, `string`, `uuid`, `fixed[L]`, `binary`.
 */
export interface IcebergField {
  /** The field id: how every engine (and the Parquet files) find this column. */
  id: number;
  name: string;
  type: string;
  /** `true` for NOT NULL. */
  required: boolean;
  /** @default undefined */
  doc?: string | undefined;
}

/** An Iceberg table schema (flat: nested types are not supported). */
export interface IcebergSchema {
  /** @default 0 for a new table */
  schemaId?: number | undefined;
  fields: IcebergField[];
  /** Row identity columns (for engines that upsert). @default [] */
  identifierFieldIds?: number[] | undefined;
}

const PRIMITIVES = new Set([
  "boolean",
  "int",
  "long",
  "float",
  "double",
  "date",
  "time",
  "timestamp",
  "timestamptz",
  "string",
  "uuid",
  "binary",
]);
const DECIMAL = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/i;
const FIXED = /^fixed\[\s*(\d+)\s*\]$/i;

/**
 * The canonical spelling of an Iceberg primitive type (`decimal(10,2)` →
 * `decimal(10, 2)`), or an `ICEBERG_INVALID_ARGUMENT` error when it is not one.
 *
 * @example
 * ```ts
 * normalizeIcebergType("DECIMAL(10,2)"); // "decimal(10, 2)"
 * ```
 */
export function normalizeIcebergType(type: string): string {
  const text = type.trim().toLowerCase();
  if (PRIMITIVES.has(text)) return text;
  const decimal = DECIMAL.exec(text);
  if (decimal !== null) {
    const precision = Number(decimal[1]);
    const scale = Number(decimal[2]);
    if (precision < 1 || precision > 38 || scale > precision) {
      throw invalid(
        `decimal(${precision}, ${scale}) needs 1 ≤ precision ≤ 38 and scale ≤ precision`,
      );
    }
    return `decimal(${precision}, ${scale})`;
  }
  const fixed = FIXED.exec(text);
  if (fixed !== null && Number(fixed[1]) > 0) return `fixed[${Number(fixed[1])}]`;
  throw invalid(`"${type}" is not an Iceberg primitive type`);
}

/** Precision and scale of a `decimal(P, S)` type, or `undefined`. */
export function decimalOf(type: string): { precision: number; scale: number } | undefined {
  const match = DECIMAL.exec(type);
  return match === null ? undefined : { precision: Number(match[1]), scale: Number(match[2]) };
}

/**
 * Checks a schema for a new table or a write: positive, unique field ids; names that
 * are non-empty and unique ignoring case (DuckDB and Trino fold case); known types.
 * Returns it with canonical type names.
 *
 * @example
 * ```ts
 * validateIcebergSchema({ fields: [{ id: 1, name: "id", type: "long", required: true }] });
 * ```
 */
export function validateIcebergSchema(schema: IcebergSchema): IcebergSchema {
  if (!Array.isArray(schema?.fields) || schema.fields.length === 0) {
    throw invalid("a schema needs at least one field");
  }
  const ids = new Set<number>();
  const names = new Set<string>();
  const fields = schema.fields.map((field) => {
    if (!Number.isSafeInteger(field.id) || field.id < 1) {
      throw invalid(`field "${field.name}" needs a positive integer id, not ${field.id}`);
    }
    if (ids.has(field.id)) throw invalid(`field id ${field.id} is used twice`);
    ids.add(field.id);
    if (typeof field.name !== "string" || field.name === "") {
      throw invalid(`field ${field.id} needs a name`);
    }
    if (names.has(field.name.toLowerCase())) {
      throw invalid(`column "${field.name}" is named twice (names are compared ignoring case)`);
    }
    names.add(field.name.toLowerCase());
    return { ...field, type: normalizeIcebergType(field.type), required: field.required === true };
  });
  for (const id of schema.identifierFieldIds ?? []) {
    if (!ids.has(id)) throw invalid(`identifier field id ${id} is not in the schema`);
  }
  return { ...schema, fields };
}

/**
 * The DuckDB type a column of this Iceberg type is read and written as.
 *
 * @example
 * ```ts
 * icebergDuckDbType("timestamptz"); // "TIMESTAMPTZ"
 * ```
 */
export function icebergDuckDbType(type: string): string {
  const normal = normalizeIcebergType(type);
  const decimal = decimalOf(normal);
  if (decimal !== undefined) return `DECIMAL(${decimal.precision},${decimal.scale})`;
  if (normal.startsWith("fixed[")) return "BLOB";
  const types: Record<string, string> = {
    boolean: "BOOLEAN",
    int: "INTEGER",
    long: "BIGINT",
    float: "FLOAT",
    double: "DOUBLE",
    date: "DATE",
    time: "TIME",
    timestamp: "TIMESTAMP",
    timestamptz: "TIMESTAMPTZ",
    string: "VARCHAR",
    uuid: "UUID",
    binary: "BLOB",
  };
  return types[normal] as string;
}

/**
 * The schema in the TableFormat port's type names (Delta's spelling, which the DuckDB
 * helpers understand): `int` → `integer`, `timestamptz` → `timestamp` (an instant),
 * `timestamp` → `timestamp_ntz`, `fixed[L]` → `binary`; field ids go in `metadata.id`.
 *
 * @example
 * ```ts
 * toPortSchema({ fields: [{ id: 1, name: "at", type: "timestamptz", required: false }] });
 * // { fields: [{ name: "at", type: "timestamp", nullable: true, metadata: { id: 1 } }] }
 * ```
 */
export function toPortSchema(schema: IcebergSchema): TableSchema {
  return {
    fields: schema.fields.map((field) => {
      const type = normalizeIcebergType(field.type);
      const port: Record<string, string> = {
        int: "integer",
        timestamptz: "timestamp",
        timestamp: "timestamp_ntz",
      };
      return {
        name: field.name,
        type: port[type] ?? (type.startsWith("fixed[") ? "binary" : type.replace(", ", ",")),
        nullable: !field.required,
        metadata: { id: field.id },
      };
    }),
  };
}

/**
 * An Iceberg schema for a port schema (what a lakehouse write or a source gives):
 * field ids 1, 2, 3… in column order (or `metadata.id` when every field has one);
 * `byte`/`short`/`integer` → `int`, `timestamp` → `timestamptz`, `timestamp_ntz` →
 * `timestamp`. Nested types are refused (`ICEBERG_UNSUPPORTED_FEATURE`).
 *
 * @example
 * ```ts
 * fromPortSchema({ fields: [{ name: "id", type: "long", nullable: false }] });
 * // { schemaId: 0, fields: [{ id: 1, name: "id", type: "long", required: true }] }
 * ```
 */
export function fromPortSchema(schema: TableSchema): IcebergSchema {
  const givenIds = schema.fields.map((field) => field.metadata?.id);
  const useGiven = givenIds.every((id) => typeof id === "number");
  return validateIcebergSchema({
    schemaId: 0,
    fields: schema.fields.map((field, index) => ({
      id: useGiven ? (givenIds[index] as number) : index + 1,
      name: field.name,
      type: fromPortType(field),
      required: !field.nullable,
    })),
  });
}

function fromPortType(field: TableField): string {
  const type = field.type.trim().toLowerCase().replace(/\s+/g, "");
  const types: Record<string, string> = {
    boolean: "boolean",
    byte: "int",
    short: "int",
    integer: "int",
    int: "int",
    long: "long",
    bigint: "long",
    float: "float",
    double: "double",
    date: "date",
    time: "time",
    timestamp: "timestamptz",
    timestamptz: "timestamptz",
    timestamp_ntz: "timestamp",
    string: "string",
    binary: "binary",
    uuid: "uuid",
  };
  const mapped = types[type];
  if (mapped !== undefined) return mapped;
  if (DECIMAL.test(type)) return normalizeIcebergType(type);
  throw new IcebergError(
    "ICEBERG_UNSUPPORTED_FEATURE",
    `column "${field.name}" has the type ${field.type}: only primitive columns are supported`,
  );
}

function invalid(reason: string): IcebergError {
  return new IcebergError("ICEBERG_INVALID_ARGUMENT", reason);
}
