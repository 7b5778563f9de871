import { isInteger, isTemporal } from "./column-expressions.js";
import { PostgresSourceError } from "./postgres-source-error.js";
import type { PostgresColumn } from "./table-schema-snapshot.js";

// An ISO-8601 or Postgres timestamp literal: date, optional time with up to 6 fractional
// digits, optional zone. Checked here so a bad cursor fails with a clear error, not a
// Postgres parse error halfway through an ingest.
const TIMESTAMP =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Checks that `cursor` has exactly the cursor fields, each a value the column can take,
 * and returns the values in field order, ready to bind.
 *
 * @example
 * ```ts
 * validateCursor("after", { write_date: "2026-01-31T12:00:00.000Z", id: 7 }, "account_move", fields);
 * // ["2026-01-31T12:00:00.000Z", 7]
 * ```
 */
export function validateCursor(
  role: "after" | "until",
  cursor: unknown,
  stream: string,
  fields: readonly PostgresColumn[],
): (string | number)[] {
  const fail = (why: string) =>
    new PostgresSourceError(
      "POSTGRES_INVALID_CURSOR",
      `${role} cursor of ${stream} ${why}; expected {${fields.map((field) => field.name).join(", ")}}`,
    );
  if (typeof cursor !== "object" || cursor === null || Array.isArray(cursor)) {
    throw fail("is not an object");
  }
  const record = cursor as Record<string, unknown>;
  const extra = Object.keys(record).filter((key) => !fields.some((field) => field.name === key));
  if (extra.length > 0) throw fail(`has unknown field(s) ${extra.join(", ")}`);
  return fields.map((field) => {
    const value = record[field.name];
    if (value === undefined || value === null) throw fail(`lacks ${field.name}`);
    if (isTemporal(field)) {
      if (
        typeof value !== "string" ||
        !TIMESTAMP.test(value) ||
        Number.isNaN(Date.parse(value.replace(" ", "T")))
      ) {
        throw fail(`has ${field.name} = ${JSON.stringify(value)}, not a timestamp`);
      }
      return value;
    }
    if (isInteger(field)) {
      const ok =
        (typeof value === "number" && Number.isSafeInteger(value)) ||
        (typeof value === "string" && /^-?\d{1,19}$/.test(value));
      if (!ok) throw fail(`has ${field.name} = ${JSON.stringify(value)}, not an integer`);
      return value as string | number;
    }
    if (typeof value !== "string" && typeof value !== "number") {
      throw fail(`has ${field.name} = ${JSON.stringify(value)}, not a string or number`);
    }
    return value;
  });
}
