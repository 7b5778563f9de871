import { fileURLToPath } from "node:url";
import type { ObjectStore } from "@controlroom/executor-kit";

const PROBE = "__controlroom_probe__";

/**
 * The store key behind an absolute URI that Iceberg metadata records, or `undefined`
 * when it is outside the store. Iceberg writes absolute locations, and each writer its
 * own way: `file:///p`, `file:/p` (Hadoop) or a bare `/p` for local files; `s3a://` and
 * `s3n://` for `s3://`. Percent-escapes in `file:` URIs are decoded.
 *
 * @example
 * ```ts
 * storeKeyOf(store, store.uri("t/metadata/00001-x.metadata.json")); // "t/metadata/00001-x.metadata.json"
 * ```
 */
export function storeKeyOf(store: ObjectStore, uri: string): string | undefined {
  const base = store.uri(PROBE).slice(0, -PROBE.length);
  if (base.startsWith("file:")) {
    const path = localPathOf(uri);
    const root = fileURLToPath(base);
    const prefix = root.endsWith("/") ? root : `${root}/`;
    return path?.startsWith(prefix) ? path.slice(prefix.length) : undefined;
  }
  const normal = uri.replace(/^s3[an]:\/\//, "s3://");
  return normal.startsWith(base) ? normal.slice(base.length) : undefined;
}

/** The local path of a `file:` URI or a bare absolute path, else `undefined`. */
export function localPathOf(uri: string): string | undefined {
  if (uri.startsWith("/")) return uri;
  if (!uri.startsWith("file:")) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}
