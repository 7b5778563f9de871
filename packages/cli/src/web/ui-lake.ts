import type { ObjectStore } from "@controlroom/executor-kit";
import { openTableLocation } from "../table/open-table-location.js";

/** The lake the web UI reads tables and artifacts from, opened for one request. */
export interface UiLake {
  store: ObjectStore;
  /** The store key of a table location or artifact path, e.g. `lake/gold/finance/x`. */
  key(relative: string): string;
  /** The store key of an artifact URI inside this lake, or `undefined` when it is elsewhere. */
  keyOfUri(uri: string): string | undefined;
  close(): Promise<void>;
}

/**
 * Opens the lake at `uri` (a directory, `file://…` or `s3://bucket/prefix`, with the
 * same S3 variables as `controlroom table read`) the way the table commands do. Only
 * URIs under the lake map to keys, so an artifact registered with any other `uri`
 * (a path elsewhere on the server) is never read.
 *
 * @example
 * ```ts
 * const lake = await openUiLake(".controlroom/lake", process.env, process.cwd());
 * const key = lake.keyOfUri(artifact.uri);
 * ```
 */
export async function openUiLake(
  uri: string,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Promise<UiLake> {
  const opened = await openTableLocation(uri, env, cwd);
  const prefix = opened.location;
  const key = (relative: string) => (prefix === "" ? relative : `${prefix}/${relative}`);
  const base = `${opened.store.uri(prefix).replace(/\/+$/, "")}/`;
  return {
    store: opened.store,
    key,
    keyOfUri(artifactUri) {
      if (!artifactUri.startsWith(base)) return undefined;
      let rest: string;
      try {
        rest = decodeURIComponent(artifactUri.slice(base.length));
      } catch {
        return undefined;
      }
      const segments = rest.split("/");
      if (segments.some((segment) => segment === "" || segment === "." || segment === "..")) {
        return undefined;
      }
      return key(rest);
    },
    close: () => opened.close(),
  };
}
