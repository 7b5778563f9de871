import { IcebergError } from "./iceberg-error.js";

/** An Avro schema compiled from its JSON form: named references resolved, ready to encode. */
export type AvroType =
  | { kind: "null" | "boolean" | "int" | "long" | "float" | "double" | "bytes" | "string" }
  | { kind: "record"; name: string; fields: { name: string; type: AvroType }[] }
  | { kind: "enum"; name: string; symbols: string[] }
  | { kind: "array"; items: AvroType }
  | { kind: "map"; values: AvroType }
  | { kind: "fixed"; name: string; size: number }
  | { kind: "union"; branches: AvroType[] };

const PRIMITIVES = new Set([
  "null",
  "boolean",
  "int",
  "long",
  "float",
  "double",
  "bytes",
  "string",
]);

/**
 * Compiles an Avro schema (the parsed JSON of a container file's `avro.schema`, or one
 * we built) into an {@link AvroType}. Logical types and extra attributes (Iceberg's
 * `field-id`) do not change the encoding, so they are ignored here; the JSON keeps them.
 * Named types may be referenced by full or short name, also before their definition
 * finishes (recursive records).
 *
 * @example
 * ```ts
 * const type = compileAvroSchema({ type: "record", name: "r", fields: [{ name: "id", type: "long", "field-id": 1 }] });
 * ```
 */
export function compileAvroSchema(schema: unknown): AvroType {
  const named = new Map<string, AvroType>();
  const compile = (node: unknown, namespace: string): AvroType => {
    if (typeof node === "string") {
      if (PRIMITIVES.has(node)) return { kind: node as "null" };
      const found = named.get(node) ?? named.get(namespace === "" ? node : `${namespace}.${node}`);
      if (found === undefined) return invalid(`unknown type name "${node}"`);
      return found;
    }
    if (Array.isArray(node)) {
      return { kind: "union", branches: node.map((branch) => compile(branch, namespace)) };
    }
    if (node === null || typeof node !== "object")
      return invalid(`bad schema node ${String(node)}`);
    const object = node as Record<string, unknown>;
    const type = object.type;
    if (typeof type !== "string") {
      // `{"type": {...}}` or `{"type": [...]}`: the wrapper adds only attributes.
      return compile(type, namespace);
    }
    if (PRIMITIVES.has(type)) return { kind: type as "null" };
    const fullName = (): { full: string; space: string } => {
      const name = String(object.name ?? "");
      if (name === "") return invalid(`a ${type} needs a name`);
      if (name.includes(".")) return { full: name, space: name.slice(0, name.lastIndexOf(".")) };
      const space = typeof object.namespace === "string" ? object.namespace : namespace;
      return { full: space === "" ? name : `${space}.${name}`, space };
    };
    switch (type) {
      case "record":
      case "error": {
        const { full, space } = fullName();
        const record: AvroType = { kind: "record", name: full, fields: [] };
        named.set(full, record);
        named.set(full.slice(full.lastIndexOf(".") + 1), record);
        if (!Array.isArray(object.fields)) return invalid(`record ${full} has no fields`);
        for (const field of object.fields as Record<string, unknown>[]) {
          record.fields.push({ name: String(field.name), type: compile(field.type, space) });
        }
        return record;
      }
      case "enum": {
        const { full } = fullName();
        const symbols = Array.isArray(object.symbols) ? object.symbols.map(String) : [];
        const result: AvroType = { kind: "enum", name: full, symbols };
        named.set(full, result);
        named.set(full.slice(full.lastIndexOf(".") + 1), result);
        return result;
      }
      case "fixed": {
        const { full } = fullName();
        const size = Number(object.size);
        if (!Number.isSafeInteger(size) || size < 0) return invalid(`fixed ${full} has a bad size`);
        const result: AvroType = { kind: "fixed", name: full, size };
        named.set(full, result);
        named.set(full.slice(full.lastIndexOf(".") + 1), result);
        return result;
      }
      case "array":
        return { kind: "array", items: compile(object.items, namespace) };
      case "map":
        return { kind: "map", values: compile(object.values, namespace) };
      default:
        return compile(type, namespace);
    }
  };
  return compile(schema, "");
}

function invalid(reason: string): never {
  throw new IcebergError("ICEBERG_INVALID_METADATA", `invalid Avro schema: ${reason}`);
}
