import { stat } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ObjectStore } from "@controlroom/executor-kit";
import { UsageError } from "../usage-error.js";

/** A table's store and its location in it, with how to release the store. */
export interface TableLocation {
  store: ObjectStore;
  location: string;
  /** The URI as the user should read it in messages. */
  display: string;
  close(): Promise<void>;
}

/**
 * Opens the store behind a table URI: a local path, `file://…`, or `s3://bucket/path`
 * (credentials, endpoint and region from the standard AWS variables:
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_ENDPOINT_URL,
 * AWS_REGION). The S3 adapter is loaded only for `s3://`, so local reads never load
 * the AWS SDK.
 *
 * @example
 * ```ts
 * const table = await openTableLocation("s3://lake/silver/orders", process.env, process.cwd());
 * ```
 */
export async function openTableLocation(
  uri: string,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Promise<TableLocation> {
  if (uri.startsWith("s3://")) return openS3(uri, env);
  if (/^[A-Za-z][A-Za-z0-9+.-]+:\/\//.test(uri) && !uri.startsWith("file://")) {
    throw new UsageError(`unsupported table URI "${uri}": use a path, file://… or s3://…`);
  }
  const path = uri.startsWith("file://") ? fileURLToPath(uri) : resolve(cwd, uri);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`no table at ${path}: not a directory`);
  const { createLocalObjectStore } = await import("@controlroom/adapters/local");
  // The table's parent as the store root keeps the table's location non-empty.
  return {
    store: createLocalObjectStore({ root: dirname(path) }),
    location: basename(path),
    display: path,
    close: async () => {},
  };
}

async function openS3(
  uri: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<TableLocation> {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  const bucket = match?.[1];
  const location = (match?.[2] ?? "").replace(/\/+$/, "");
  if (!bucket) throw new UsageError(`bad S3 URI "${uri}": expected s3://bucket/path`);
  const { createS3ObjectStore } = await import("@controlroom/adapters/s3");
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  const store = createS3ObjectStore({
    bucket,
    clientConfig: {
      region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
      ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
      ...(accessKeyId && secretAccessKey
        ? {
            credentials: {
              accessKeyId,
              secretAccessKey,
              ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
            },
          }
        : {}),
    },
  });
  return { store, location, display: uri, close: () => store.close() };
}
