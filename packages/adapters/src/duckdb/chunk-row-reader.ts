import type { DuckDBDataChunk, DuckDBType } from "@duckdb/node-api";
import { type ColumnReader, columnReader } from "./column-reader.js";
import { duckDbValueConverter } from "./duckdb-value-converter.js";

/**
 * Turns DuckDB data chunks into row objects (`{ [column]: value }`, values as
 * {@link duckDbValueConverter} gives them). Each column is converted as a whole by a
 * reader chosen once from its type, then the rows are assembled from the columns.
 *
 * @example
 * ```ts
 * const reader = new ChunkRowReader(result.deduplicatedColumnNames(), result.columnTypes());
 * const rows: Record<string, unknown>[] = [];
 * for (const chunk of await result.fetchAllChunks()) reader.read(chunk, rows);
 * ```
 */
export class ChunkRowReader {
  readonly #names: readonly string[];
  readonly #readers: readonly ColumnReader[];
  readonly #columns: unknown[][];
  readonly #template: Readonly<Record<string, null>> | undefined;

  constructor(names: readonly string[], types: readonly DuckDBType[]) {
    this.#names = names;
    this.#readers = types.map(columnReader);
    this.#columns = names.map(() => []);
    // An object given its properties one by one under computed names turns into a slow
    // dictionary past about 16 of them, and every later read of the row (hashing reads
    // all of them) pays for it. A copy of a template that JSON.parse built keeps the
    // fast layout, with the same keys in the same order. Not for a column named
    // "__proto__": assigning that sets the prototype, which a copy would not reproduce.
    this.#template = names.includes("__proto__")
      ? undefined
      : JSON.parse(JSON.stringify(Object.fromEntries(names.map((name) => [name, null]))));
  }

  /** Appends the chunk's rows to `rows`. */
  read(chunk: DuckDBDataChunk, rows: unknown[]): void {
    const names = this.#names;
    const columns = this.#columns;
    try {
      for (let column = 0; column < names.length; column++) {
        (this.#readers[column] as ColumnReader)(
          chunk.getColumnVector(column),
          columns[column] as unknown[],
        );
      }
    } catch {
      // A value the converter refuses (a DATE beyond the JavaScript Date range…):
      // convert the chunk row by row instead, so the error is the one row-by-row
      // conversion meets first, as before columns were read whole.
      readRowByRow(chunk, names, rows);
      return;
    }
    const template = this.#template;
    const rowCount = chunk.rowCount;
    for (let index = 0; index < rowCount; index++) {
      const row: Record<string, unknown> = template === undefined ? {} : { ...template };
      for (let column = 0; column < names.length; column++) {
        row[names[column] as string] = (columns[column] as unknown[])[index];
      }
      rows.push(row);
    }
  }
}

function readRowByRow(chunk: DuckDBDataChunk, names: readonly string[], rows: unknown[]): void {
  for (let index = 0; index < chunk.rowCount; index++) {
    const row: Record<string, unknown> = {};
    chunk.visitRowValues(index, (value, _row, column, type) => {
      row[names[column] as string] = duckDbValueConverter(value, type, duckDbValueConverter);
    });
    rows.push(row);
  }
}
