/**
 * Orders object keys by their UTF-8 bytes, the order S3 lists in, so that every store
 * lists the same keys in the same order (JavaScript's default sort compares UTF-16 code
 * units, which differs for characters outside the Basic Multilingual Plane).
 *
 * @example
 * ```ts
 * ["b", "a/c", "a-b"].sort(compareKeys); // ["a-b", "a/c", "b"]
 * ```
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
