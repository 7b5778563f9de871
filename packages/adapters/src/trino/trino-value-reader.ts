import { decimalFromText } from "./decimal-text.js";
import { parseTrinoTimestamp } from "./trino-timestamp.js";

/** A column's type as the client protocol describes it (`columns[].typeSignature`). */
export interface TrinoTypeSignature {
  rawType: string;
  arguments?: TrinoTypeArgument[] | undefined;
}

/** One argument of a parametrised type: a length, an element type or a named row field. */
export type TrinoTypeArgument =
  | { kind: "LONG"; value: number }
  | { kind: "TYPE"; value: TrinoTypeSignature }
  | {
      kind: "NAMED_TYPE";
      value: { fieldName?: { name: string }; typeSignature: TrinoTypeSignature };
    }
  | { kind: "VARIABLE"; value: unknown };

/** Turns one value of a column, as parsed from JSON, into the engine's JavaScript value. */
export type TrinoValueReader = (value: unknown) => unknown;

/**
 * Builds the reader for a column type, once per column: BIGINT → bigint, other integers
 * and REAL/DOUBLE → number (`NaN`, `Infinity` included), DECIMAL → number when exact
 * else its text, DATE/TIMESTAMP/TIMESTAMP WITH TIME ZONE → Date, VARBINARY →
 * Uint8Array, ARRAY → array, MAP → `{ key, value }[]`, ROW → object by field name.
 * Everything else (VARCHAR, CHAR, JSON, UUID, TIME, INTERVAL…) stays Trino's text.
 *
 * @example
 * ```ts
 * const read = trinoValueReader({ rawType: "bigint", arguments: [] });
 * read("9007199254740993"); // 9007199254740993n
 * ```
 */
export function trinoValueReader(type: TrinoTypeSignature): TrinoValueReader {
  const read = baseReader(type);
  return (value) => (value === null || value === undefined ? null : read(value));
}

function baseReader(type: TrinoTypeSignature): TrinoValueReader {
  switch (type.rawType) {
    case "bigint":
      return (value) => BigInt(value as string | number);
    case "tinyint":
    case "smallint":
    case "integer":
    case "real":
    case "double":
      // Non-finite floats come as "NaN", "Infinity" and "-Infinity".
      return (value) => Number(value);
    case "decimal":
      return (value) => decimalFromText(String(value));
    case "date":
    case "timestamp":
    case "timestamp with time zone":
      return (value) => parseTrinoTimestamp(String(value)) ?? value;
    case "varbinary":
      return (value) => new Uint8Array(Buffer.from(String(value), "base64"));
    case "array": {
      const element = trinoValueReader(typeArgument(type, 0));
      return (value) => (value as unknown[]).map(element);
    }
    case "map": {
      // JSON object keys are strings; the key type's reader gives them their type.
      const key = trinoValueReader(typeArgument(type, 0));
      const entry = trinoValueReader(typeArgument(type, 1));
      return (value) =>
        Object.entries(value as Record<string, unknown>).map(([k, v]) => ({
          key: key(k),
          value: entry(v),
        }));
    }
    case "row": {
      const fields = (type.arguments ?? []).map((argument, index) => {
        const named = argument.kind === "NAMED_TYPE" ? argument.value : undefined;
        const fieldType = named?.typeSignature ?? typeArgument(type, index);
        return {
          name: named?.fieldName?.name ?? `field${index}`,
          read: trinoValueReader(fieldType),
        };
      });
      return (value) => {
        const values = value as unknown[];
        const row: Record<string, unknown> = {};
        fields.forEach((field, index) => {
          row[field.name] = field.read(values[index]);
        });
        return row;
      };
    }
    default:
      return (value) => value;
  }
}

function typeArgument(type: TrinoTypeSignature, index: number): TrinoTypeSignature {
  const argument = type.arguments?.[index];
  if (argument?.kind === "TYPE") return argument.value;
  if (argument?.kind === "NAMED_TYPE") return argument.value.typeSignature;
  return { rawType: "unknown" };
}
