// A JSON string token, or an integer of 16+ digits that is not part of a fraction or an
// exponent. Strings are matched so that digits inside them are left alone.
const LONG_INTEGER = /"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])-?\d{16,}(?![\d.eE])/g;

/**
 * Parses a Trino response body without losing BIGINTs: Trino sends them as JSON numbers,
 * and `JSON.parse` rounds every integer past 2^53. Integers of 16 or more digits become
 * strings before parsing; the column's type then turns them into what they are
 * (`bigint`, or a number for a DOUBLE that Trino wrote without a fraction).
 *
 * @example
 * ```ts
 * parseTrinoJson('{"data":[[9007199254740993]]}'); // { data: [["9007199254740993"]] }
 * ```
 */
export function parseTrinoJson(text: string): unknown {
  return JSON.parse(
    text.replace(LONG_INTEGER, (token) => (token.startsWith('"') ? token : `"${token}"`)),
  );
}
