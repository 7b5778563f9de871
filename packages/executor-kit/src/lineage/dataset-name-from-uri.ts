/**
 * A table or file's OpenLineage dataset name from its URI, by the spec's naming
 * conventions (openlineage.io/docs/spec/naming): object storage is namespace
 * `<scheme>://<bucket>` and the key as name (`s3://lake/silver/orders` →
 * `s3://lake` + `silver/orders`); the local file system is namespace `file` and the
 * absolute path as name (`file:///data/lake/silver/orders` → `file` +
 * `/data/lake/silver/orders`); anything else is `<scheme>://<authority>` and the path.
 *
 * @example
 * ```ts
 * datasetNameFromUri(lakehouse.uri("gold/finance/ar_ageing"));
 * // { namespace: "s3://acme-lake", name: "gold/finance/ar_ageing" }
 * ```
 */
export function datasetNameFromUri(uri: string): { namespace: string; name: string } {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    // Not a URI (a bare path): a local file.
    return { namespace: "file", name: uri };
  }
  const scheme = url.protocol.replace(/:$/, "");
  const path = decodeURIComponent(url.pathname);
  if (scheme === "file") return { namespace: "file", name: path };
  const name = path.replace(/^\/+/, "");
  return { namespace: `${scheme}://${url.host}`, name: name === "" ? "/" : name };
}
