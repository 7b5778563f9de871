import type { PostgresColumn, TableSchemaSnapshot } from "./table-schema-snapshot.js";

/** A column whose type changed between two snapshots. */
export interface RetypedColumn {
  name: string;
  from: string;
  to: string;
}

/** A column whose nullability changed between two snapshots. */
export interface RenulledColumn {
  name: string;
  from: boolean;
  to: boolean;
}

/** What changed in a table's columns between two snapshots. */
export interface SchemaDrift {
  table: string;
  added: PostgresColumn[];
  removed: PostgresColumn[];
  retyped: RetypedColumn[];
  /** Columns that became nullable or NOT NULL. */
  nullability: RenulledColumn[];
}

/**
 * Compares two snapshots of a table by column name: added, removed and retyped columns
 * (by `dataType` and `udtName`, so `varchar` → `text` and `int4` → `int8` both count),
 * and nullability changes. Column order is ignored: a reordered table has not drifted.
 * Whether drift is a warning or a failure is the caller's policy (`applyDriftPolicy`).
 *
 * @example
 * ```ts
 * const drift = detectSchemaDrift(lastRunSnapshot, await source.schema("account_move"));
 * if (hasSchemaDrift(drift)) console.warn(drift);
 * ```
 */
export function detectSchemaDrift(
  previous: TableSchemaSnapshot,
  current: TableSchemaSnapshot,
): SchemaDrift {
  const before = new Map(previous.columns.map((column) => [column.name, column]));
  const after = new Map(current.columns.map((column) => [column.name, column]));
  const drift: SchemaDrift = {
    table: current.table,
    added: current.columns.filter((column) => !before.has(column.name)),
    removed: previous.columns.filter((column) => !after.has(column.name)),
    retyped: [],
    nullability: [],
  };
  for (const column of current.columns) {
    const old = before.get(column.name);
    if (!old) continue;
    if (typeName(old) !== typeName(column)) {
      drift.retyped.push({ name: column.name, from: typeName(old), to: typeName(column) });
    }
    if (old.nullable !== column.nullable) {
      drift.nullability.push({ name: column.name, from: old.nullable, to: column.nullable });
    }
  }
  return drift;
}

/**
 * True when `drift` lists any change.
 *
 * @example
 * ```ts
 * if (hasSchemaDrift(detectSchemaDrift(previous, current))) notify();
 * ```
 */
export function hasSchemaDrift(drift: SchemaDrift): boolean {
  return (
    drift.added.length + drift.removed.length + drift.retyped.length + drift.nullability.length > 0
  );
}

function typeName(column: PostgresColumn): string {
  // data_type alone says "ARRAY" or "USER-DEFINED"; the udt name tells those apart.
  return column.dataType === "ARRAY" || column.dataType === "USER-DEFINED"
    ? `${column.udtSchema}.${column.udtName}`
    : column.dataType;
}
