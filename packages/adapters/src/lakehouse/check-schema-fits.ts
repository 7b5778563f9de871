import type { TableSchema } from "@controlroom/executor-kit";
import { LakehouseError } from "../internal/lakehouse-error.js";

/** Each column's type, by lower-cased name, in the form two schemas are compared in. */
export type ColumnTypes = (schema: TableSchema) => Map<string, string>;

/** The port's type text, without case or spaces. */
const portTypes: ColumnTypes = (schema) =>
  new Map(
    schema.fields.map((field) => [
      field.name.toLowerCase(),
      field.type.toLowerCase().replace(/\s+/g, ""),
    ]),
  );

/**
 * Checks that rows typed by `rows` can be appended to a table of schema `table`: the
 * table has each of their columns with the same type (as `columnTypes` sees types: a
 * table format may map several port types to one of its own), and the rows carry every
 * column the table requires. Throws LAKEHOUSE_SCHEMA_MISMATCH naming every problem.
 */
export function checkSchemaFits(
  table: TableSchema,
  rows: TableSchema,
  location: string,
  columnTypes: ColumnTypes = portTypes,
): void {
  const have = columnTypes(table);
  const given = columnTypes(rows);
  const problems: string[] = [];
  for (const field of rows.fields) {
    const type = have.get(field.name.toLowerCase());
    const wanted = given.get(field.name.toLowerCase());
    if (type === undefined) problems.push(`the table has no column "${field.name}"`);
    else if (type !== wanted) {
      problems.push(`"${field.name}" is ${type} in the table, ${wanted} in the rows`);
    }
  }
  for (const field of table.fields) {
    if (!field.nullable && !given.has(field.name.toLowerCase())) {
      problems.push(`the rows lack "${field.name}", which is not nullable`);
    }
  }
  if (problems.length > 0) {
    throw new LakehouseError(
      "LAKEHOUSE_SCHEMA_MISMATCH",
      `cannot append to ${location}: ${problems.join("; ")}`,
      { location },
    );
  }
}
