/**
 * The URI-encoded form of a relative data file path, as `add.path` stores it: each
 * segment percent-encoded (so a Hive-escaped `%2F` in a partition directory becomes
 * `%252F`), `=` left readable as Spark and delta-rs do.
 *
 * @example
 * ```ts
 * encodeDeltaPath("letter=a%2Fb/part 0.parquet"); // "letter=a%252Fb/part%200.parquet"
 * ```
 */
export function encodeDeltaPath(path: string): string {
  return path
    .split("/")
    .map((segment) => encodeURIComponent(segment).replaceAll("%3D", "="))
    .join("/");
}
