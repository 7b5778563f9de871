import type { TableField, TableSchema } from "../ports/table-format.js";
import type { MedallionDriftAction } from "./medallion-config.js";

/** How a source's columns differ from its bronze table's. */
export interface ColumnDrift {
  added: { name: string; type: string }[];
  removed: { name: string; type: string }[];
  retyped: { name: string; from: string; to: string }[];
}

/** Compares the source's columns now with the bronze table's source columns. */
export function compareColumns(
  bronze: readonly TableField[],
  source: readonly TableField[],
): ColumnDrift {
  const before = new Map(bronze.map((field) => [field.name, field.type]));
  const after = new Map(source.map((field) => [field.name, field.type]));
  return {
    added: source
      .filter((field) => !before.has(field.name))
      .map(({ name, type }) => ({ name, type })),
    removed: bronze
      .filter((field) => !after.has(field.name))
      .map(({ name, type }) => ({ name, type })),
    retyped: source
      .filter((field) => before.has(field.name) && before.get(field.name) !== field.type)
      .map((field) => ({ name: field.name, from: before.get(field.name) ?? "", to: field.type })),
  };
}

/** The kinds of drift present, with what the policy says to do about each. */
export function driftActions(
  drift: ColumnDrift,
  policy: Record<keyof ColumnDrift, MedallionDriftAction>,
): { kind: keyof ColumnDrift; action: MedallionDriftAction; columns: string[] }[] {
  return (["added", "removed", "retyped"] as const)
    .filter((kind) => drift[kind].length > 0)
    .map((kind) => ({
      kind,
      action: policy[kind],
      columns: drift[kind].map((column) => column.name),
    }));
}

/** The schema without the named columns. */
export function withoutColumns(schema: TableSchema, names: readonly string[]): TableField[] {
  const drop = new Set(names);
  return schema.fields.filter((field) => !drop.has(field.name));
}
