import { type AvroReader, AvroWriter } from "./avro-binary.js";
import type { AvroType } from "./avro-schema.js";
import { IcebergError } from "./iceberg-error.js";

/**
 * A decoded Avro value: null, boolean, number (int, float, double), bigint (long),
 * string (string, enum), Uint8Array (bytes, fixed), array, or an object (record by
 * field name, map by key). A union's value is the chosen branch's value.
 */
export type AvroValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | AvroValue[]
  | { [key: string]: AvroValue };

/**
 * Reads one value of `type` (the writer's schema) from `reader`.
 *
 * @example
 * ```ts
 * const entry = readAvroDatum(new AvroReader(bytes), compileAvroSchema(schemaJson));
 * ```
 */
export function readAvroDatum(reader: AvroReader, type: AvroType): AvroValue {
  switch (type.kind) {
    case "null":
      return null;
    case "boolean":
      return reader.boolean();
    case "int":
      return reader.int();
    case "long":
      return reader.long();
    case "float":
      return reader.float();
    case "double":
      return reader.double();
    case "bytes":
      return reader.bytesValue();
    case "string":
      return reader.string();
    case "fixed":
      return reader.raw(type.size);
    case "enum": {
      const index = reader.int();
      const symbol = type.symbols[index];
      if (symbol === undefined) return invalid(`enum ${type.name} has no symbol ${index}`);
      return symbol;
    }
    case "union": {
      const index = reader.int();
      const branch = type.branches[index];
      if (branch === undefined) return invalid(`a union has no branch ${index}`);
      return readAvroDatum(reader, branch);
    }
    case "record": {
      const record: { [key: string]: AvroValue } = {};
      for (const field of type.fields) {
        Object.defineProperty(record, field.name, {
          value: readAvroDatum(reader, field.type),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return record;
    }
    case "array": {
      const items: AvroValue[] = [];
      readBlocks(reader, () => items.push(readAvroDatum(reader, type.items)));
      return items;
    }
    case "map": {
      const map: { [key: string]: AvroValue } = {};
      readBlocks(reader, () => {
        const key = reader.string();
        Object.defineProperty(map, key, {
          value: readAvroDatum(reader, type.values),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      });
      return map;
    }
  }
}

/**
 * Writes `value` as `type`. Record fields are taken by name (a missing field is
 * null, so optional Iceberg fields may be left out); a union takes the first branch
 * that fits the value.
 *
 * @example
 * ```ts
 * const writer = new AvroWriter();
 * writeAvroDatum(writer, compileAvroSchema(["null", "long"]), 42n);
 * ```
 */
export function writeAvroDatum(writer: AvroWriter, type: AvroType, value: unknown): void {
  switch (type.kind) {
    case "null":
      if (value !== null && value !== undefined) mismatch(type, value);
      return;
    case "boolean":
      if (typeof value !== "boolean") mismatch(type, value);
      writer.boolean(value as boolean);
      return;
    case "int":
      if (typeof value !== "number") mismatch(type, value);
      writer.int(value as number);
      return;
    case "long":
      if (typeof value !== "bigint" && !Number.isSafeInteger(value)) mismatch(type, value);
      writer.long(value as bigint | number);
      return;
    case "float":
    case "double":
      if (typeof value !== "number") mismatch(type, value);
      if (type.kind === "float") writer.float(value as number);
      else writer.double(value as number);
      return;
    case "bytes":
      if (!(value instanceof Uint8Array)) mismatch(type, value);
      writer.bytesValue(value as Uint8Array);
      return;
    case "string":
      if (typeof value !== "string") mismatch(type, value);
      writer.string(value as string);
      return;
    case "fixed":
      if (!(value instanceof Uint8Array) || value.byteLength !== type.size) mismatch(type, value);
      writer.raw(value as Uint8Array);
      return;
    case "enum": {
      const index = type.symbols.indexOf(String(value));
      if (index < 0) mismatch(type, value);
      writer.int(index);
      return;
    }
    case "union": {
      const index = type.branches.findIndex((branch) => fits(branch, value));
      if (index < 0) mismatch(type, value);
      writer.int(index);
      writeAvroDatum(writer, type.branches[index] as AvroType, value);
      return;
    }
    case "record": {
      if (!isObject(value)) mismatch(type, value);
      const record = value as Record<string, unknown>;
      for (const field of type.fields) {
        try {
          writeAvroDatum(writer, field.type, record[field.name] ?? null);
        } catch (error) {
          throw new IcebergError(
            "ICEBERG_INVALID_ARGUMENT",
            `${type.name}.${field.name}: ${error instanceof Error ? error.message : String(error)}`,
            { cause: error },
          );
        }
      }
      return;
    }
    case "array": {
      if (!Array.isArray(value)) mismatch(type, value);
      const items = value as unknown[];
      if (items.length > 0) {
        writer.long(items.length);
        for (const item of items) writeAvroDatum(writer, type.items, item);
      }
      writer.long(0);
      return;
    }
    case "map": {
      if (!isObject(value)) mismatch(type, value);
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length > 0) {
        writer.long(entries.length);
        for (const [key, item] of entries) {
          writer.string(key);
          writeAvroDatum(writer, type.values, item);
        }
      }
      writer.long(0);
      return;
    }
  }
}

/** Encodes one value on its own (a container's metadata map, say). */
export function encodeAvroDatum(type: AvroType, value: unknown): Uint8Array {
  const writer = new AvroWriter();
  writeAvroDatum(writer, type, value);
  return writer.bytes();
}

// Arrays and maps come in blocks: a count, then that many items; a negative count is
// followed by the block's size in bytes; a zero count ends the list.
function readBlocks(reader: AvroReader, item: () => void): void {
  for (;;) {
    let count = reader.count();
    if (count === 0) return;
    if (count < 0) {
      count = -count;
      reader.count();
    }
    for (let i = 0; i < count; i++) item();
  }
}

function fits(type: AvroType, value: unknown): boolean {
  switch (type.kind) {
    case "null":
      return value === null || value === undefined;
    case "boolean":
      return typeof value === "boolean";
    case "int":
      return typeof value === "number" && Number.isInteger(value);
    case "long":
      return typeof value === "bigint" || Number.isSafeInteger(value);
    case "float":
    case "double":
      return typeof value === "number";
    case "bytes":
      return value instanceof Uint8Array;
    case "fixed":
      return value instanceof Uint8Array && value.byteLength === type.size;
    case "string":
      return typeof value === "string";
    case "enum":
      return typeof value === "string" && type.symbols.includes(value);
    case "array":
      return Array.isArray(value);
    case "record":
    case "map":
      return isObject(value);
    case "union":
      return type.branches.some((branch) => fits(branch, value));
  }
}

function isObject(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
  );
}

function mismatch(type: AvroType, value: unknown): never {
  const shown = typeof value === "bigint" ? `${value}n` : typeof value;
  throw new IcebergError(
    "ICEBERG_INVALID_ARGUMENT",
    `cannot write a ${shown} value as Avro ${type.kind}`,
  );
}

function invalid(reason: string): never {
  throw new IcebergError("ICEBERG_INVALID_METADATA", `invalid Avro data: ${reason}`);
}
