/**
 * The fields of an Avro record schema (JSON) by their Iceberg `field-id`: Iceberg
 * readers find manifest fields by id, not by name, because names changed between
 * writers (`added_data_files_count` vs `added_files_count`) and partition field names
 * are sanitised differently by each. An optional (`["null", T]`) or wrapped record is
 * unwrapped first. Fields without an id are left out.
 *
 * @example
 * ```ts
 * avroFieldIds({ type: "record", name: "r", fields: [{ name: "x", type: "int", "field-id": 7 }] });
 * // Map { 7 => { name: "x", type: "int" } }
 * ```
 */
export function avroFieldIds(schema: unknown): Map<number, { name: string; type: unknown }> {
  const result = new Map<number, { name: string; type: unknown }>();
  const record = unwrap(schema) as { fields?: unknown } | undefined;
  if (record === undefined || !Array.isArray(record.fields)) return result;
  for (const field of record.fields as Record<string, unknown>[]) {
    const id = field["field-id"];
    if (typeof id === "number") result.set(id, { name: String(field.name), type: field.type });
  }
  return result;
}

function unwrap(schema: unknown): unknown {
  if (Array.isArray(schema)) return unwrap(schema.find((branch) => branch !== "null"));
  if (schema !== null && typeof schema === "object") {
    const type = (schema as { type?: unknown }).type;
    if (type === "record") return schema;
    return unwrap(type);
  }
  return undefined;
}
