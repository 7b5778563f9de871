import type { JsonObject } from "@controlroom/contract";
import type { TableField, TableSchema } from "@controlroom/executor-kit";
import { quoteIdentifier } from "../internal/sql-quote.js";
import { DeltaError } from "./delta-errors.js";
import { DeltaProtocolError } from "./delta-protocol-error.js";

/** A Delta data type as the log's `schemaString` spells it. */
export type DeltaType =
  | string
  | { type: "struct"; fields: DeltaStructField[] }
  | { type: "array"; elementType: DeltaType; containsNull: boolean }
  | { type: "map"; keyType: DeltaType; valueType: DeltaType; valueContainsNull: boolean };

/** One field of a Delta struct. */
export interface DeltaStructField {
  name: string;
  type: DeltaType;
  nullable: boolean;
  metadata: Record<string, unknown>;
}

/** A table schema as the log stores it (a struct type). */
export interface DeltaStructType {
  type: "struct";
  fields: DeltaStructField[];
}

const PRIMITIVES = new Set([
  "string",
  "long",
  "integer",
  "short",
  "byte",
  "float",
  "double",
  "boolean",
  "binary",
  "date",
  "timestamp",
  "timestamp_ntz",
]);
const DECIMAL = /^decimal\(\s*(\d+)\s*,\s*(-?\d+)\s*\)$/;

/**
 * Parses a `metaData.schemaString`.
 *
 * @example
 * ```ts
 * const schema = parseDeltaSchema('{"type":"struct","fields":[{"name":"id","type":"long","nullable":false,"metadata":{}}]}');
 * ```
 */
export function parseDeltaSchema(schemaString: string | undefined | null): DeltaStructType {
  if (typeof schemaString !== "string") {
    throw new DeltaProtocolError("the metaData action has no schemaString");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(schemaString);
  } catch (cause) {
    throw new DeltaProtocolError("the metaData schemaString is not valid JSON", { cause });
  }
  const type = checkType(parsed, "schema");
  if (typeof type === "string" || type.type !== "struct") {
    throw new DeltaProtocolError("the metaData schemaString is not a struct type");
  }
  return type;
}

function checkType(value: unknown, where: string): DeltaType {
  if (typeof value === "string") return value;
  if (typeof value !== "object" || value === null) {
    throw new DeltaProtocolError(`invalid Delta type at ${where}`);
  }
  const node = value as Record<string, unknown>;
  switch (node.type) {
    case "struct": {
      if (!Array.isArray(node.fields))
        throw new DeltaProtocolError(`struct without fields at ${where}`);
      const fields = node.fields.map((raw: unknown, index) => {
        const field = raw as Record<string, unknown>;
        if (typeof field?.name !== "string") {
          throw new DeltaProtocolError(`struct field ${index} without a name at ${where}`);
        }
        return {
          name: field.name,
          type: checkType(field.type, `${where}.${field.name}`),
          nullable: field.nullable !== false,
          metadata: (field.metadata as Record<string, unknown> | undefined) ?? {},
        };
      });
      return { type: "struct", fields };
    }
    case "array":
      return {
        type: "array",
        elementType: checkType(node.elementType, `${where}[]`),
        containsNull: node.containsNull !== false,
      };
    case "map":
      return {
        type: "map",
        keyType: checkType(node.keyType, `${where}{key}`),
        valueType: checkType(node.valueType, `${where}{value}`),
        valueContainsNull: node.valueContainsNull !== false,
      };
    default:
      throw new DeltaProtocolError(`unknown Delta type ${JSON.stringify(node.type)} at ${where}`);
  }
}

/**
 * The port's {@link TableSchema} for a Delta schema. Field types are Delta's logical
 * names; nested types are written `struct<a:long,b:string>`, `array<string>`,
 * `map<string,long>` (see {@link formatDeltaType}); field metadata is kept.
 *
 * @example
 * ```ts
 * toTableSchema(parseDeltaSchema(metaData.schemaString)).fields[0]; // { name: "id", type: "long", nullable: false }
 * ```
 */
export function toTableSchema(schema: DeltaStructType): TableSchema {
  return {
    fields: schema.fields.map((field): TableField => {
      const out: TableField = {
        name: field.name,
        type: formatDeltaType(field.type),
        nullable: field.nullable,
      };
      if (Object.keys(field.metadata).length > 0) out.metadata = field.metadata as JsonObject;
      return out;
    }),
  };
}

/**
 * The Delta schema for the port's {@link TableSchema}: the inverse of {@link toTableSchema}
 * (nested element and value types are nullable, as the type string cannot say otherwise).
 *
 * @example
 * ```ts
 * fromTableSchema({ fields: [{ name: "tags", type: "array<string>", nullable: true }] });
 * ```
 */
export function fromTableSchema(schema: TableSchema): DeltaStructType {
  const seen = new Set<string>();
  return {
    type: "struct",
    fields: schema.fields.map((field) => {
      const lower = field.name.toLowerCase();
      if (field.name === "" || seen.has(lower)) {
        throw new DeltaError(
          "DELTA_INVALID_ARGUMENT",
          `duplicate or empty column name "${field.name}"`,
        );
      }
      seen.add(lower);
      return {
        name: field.name,
        type: parseTypeString(field.type),
        nullable: field.nullable,
        metadata: (field.metadata ?? {}) as Record<string, unknown>,
      };
    }),
  };
}

/**
 * A Delta type as a compact string: primitives by name, `decimal(p,s)`,
 * `array<T>`, `map<K,V>`, `struct<name:T,…>` (names with other characters than
 * letters, digits and `_` in backticks).
 *
 * @example
 * ```ts
 * formatDeltaType({ type: "array", elementType: "long", containsNull: true }); // "array<long>"
 * ```
 */
export function formatDeltaType(type: DeltaType): string {
  if (typeof type === "string") return type;
  switch (type.type) {
    case "array":
      return `array<${formatDeltaType(type.elementType)}>`;
    case "map":
      return `map<${formatDeltaType(type.keyType)},${formatDeltaType(type.valueType)}>`;
    case "struct":
      return `struct<${type.fields.map((f) => `${quoteName(f.name)}:${formatDeltaType(f.type)}`).join(",")}>`;
  }
}

function quoteName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `\`${name.replaceAll("`", "``")}\``;
}

/** Parses the strings {@link formatDeltaType} writes. */
function parseTypeString(text: string): DeltaType {
  let at = 0;
  const fail = (): never => {
    throw new DeltaError("DELTA_INVALID_ARGUMENT", `cannot parse column type "${text}" at ${at}`);
  };
  const skip = () => {
    while (text[at] === " ") at++;
  };
  const expect = (char: string) => {
    skip();
    if (text[at] !== char) fail();
    at++;
  };
  const word = (): string => {
    skip();
    const match = /^[A-Za-z_][A-Za-z0-9_]*(\(\s*\d+\s*,\s*-?\d+\s*\))?/.exec(text.slice(at));
    if (match === null) return fail();
    at += match[0].length;
    return match[0];
  };
  const name = (): string => {
    skip();
    if (text[at] !== "`") return word();
    let out = "";
    at++;
    for (;;) {
      if (at >= text.length) fail();
      if (text[at] === "`") {
        if (text[at + 1] === "`") {
          out += "`";
          at += 2;
          continue;
        }
        at++;
        return out;
      }
      out += text[at++];
    }
  };
  const type = (): DeltaType => {
    const head = word().toLowerCase();
    if (head === "array") {
      expect("<");
      const elementType = type();
      expect(">");
      return { type: "array", elementType, containsNull: true };
    }
    if (head === "map") {
      expect("<");
      const keyType = type();
      expect(",");
      const valueType = type();
      expect(">");
      return { type: "map", keyType, valueType, valueContainsNull: true };
    }
    if (head === "struct") {
      expect("<");
      const fields: DeltaStructField[] = [];
      skip();
      while (text[at] !== ">") {
        if (fields.length > 0) expect(",");
        const fieldName = name();
        expect(":");
        fields.push({ name: fieldName, type: type(), nullable: true, metadata: {} });
        skip();
      }
      at++;
      return { type: "struct", fields };
    }
    const normalized = head.replaceAll(" ", "");
    if (PRIMITIVES.has(normalized) || DECIMAL.test(normalized)) return normalized;
    return fail();
  };
  const result = type();
  skip();
  if (at !== text.length) fail();
  return result;
}

/**
 * The DuckDB type of a Delta type, for casts and Parquet writes. Delta `timestamp` is
 * an instant (`TIMESTAMPTZ`); `timestamp_ntz` a wall-clock time (`TIMESTAMP`).
 *
 * @example
 * ```ts
 * duckDbType({ type: "map", keyType: "string", valueType: "long", valueContainsNull: true }); // "MAP(VARCHAR, BIGINT)"
 * ```
 */
export function duckDbType(type: DeltaType): string {
  if (typeof type !== "string") {
    switch (type.type) {
      case "array":
        return `${duckDbType(type.elementType)}[]`;
      case "map":
        return `MAP(${duckDbType(type.keyType)}, ${duckDbType(type.valueType)})`;
      case "struct":
        return `STRUCT(${type.fields.map((f) => `${quoteIdentifier(f.name)} ${duckDbType(f.type)}`).join(", ")})`;
    }
  }
  const decimal = DECIMAL.exec(type);
  if (decimal !== null) return `DECIMAL(${decimal[1]}, ${decimal[2]})`;
  switch (type) {
    case "string":
      return "VARCHAR";
    case "long":
      return "BIGINT";
    case "integer":
      return "INTEGER";
    case "short":
      return "SMALLINT";
    case "byte":
      return "TINYINT";
    case "float":
      return "FLOAT";
    case "double":
      return "DOUBLE";
    case "boolean":
      return "BOOLEAN";
    case "binary":
      return "BLOB";
    case "date":
      return "DATE";
    case "timestamp":
      return "TIMESTAMPTZ";
    case "timestamp_ntz":
      return "TIMESTAMP";
    default:
      throw new DeltaError("DELTA_INVALID_ARGUMENT", `no DuckDB type for Delta type "${type}"`);
  }
}
