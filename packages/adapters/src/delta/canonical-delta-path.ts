const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * The key under which log replay reconciles a file's `add` and `remove` actions:
 * percent-decoded, with absolute spellings unified (`/x`, `file:/x` and `file:///x`
 * all become `file:///x`). Paths that are not valid percent-encoding stay as written.
 *
 * @example
 * ```ts
 * canonicalDeltaPath("file:/data/a%20b.parquet") === canonicalDeltaPath("/data/a b.parquet"); // true
 * ```
 */
export function canonicalDeltaPath(path: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    decoded = path;
  }
  if (decoded.startsWith("/"))
    return `file://${decoded.startsWith("//") ? decoded.slice(1) : decoded}`;
  if (/^file:\/(?!\/)/.test(decoded)) return `file://${decoded.slice("file:".length)}`;
  if (/^file:\/\/localhost\//.test(decoded))
    return `file://${decoded.slice("file://localhost".length)}`;
  if (SCHEME.test(decoded)) return decoded;
  return decoded;
}
