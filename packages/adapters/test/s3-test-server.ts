import { inject } from "vitest";
import { createS3ObjectStore, type S3ObjectStore } from "../src/s3/index.js";
import type { S3TestServer } from "./global-setup-s3.js";

/** The ready server's connection details. */
export type ReadyS3TestServer = Extract<S3TestServer, { status: "ready" }>;

/**
 * The S3 server from global-setup-s3.ts, or `undefined` when CONTROLROOM_SKIP_S3=1.
 * Throws (failing the test file, with the reason) when no server is installed.
 */
export function s3TestServer(): ReadyS3TestServer | undefined {
  const server = inject("controlroomS3");
  if (server === undefined) {
    throw new Error(
      "no S3 test server: add packages/adapters/test/global-setup-s3.ts to vitest's globalSetup",
    );
  }
  if (server.status === "missing") throw new Error(server.message);
  return server.status === "ready" ? server : undefined;
}

/** The client configuration for the test server. */
export function s3ClientConfig(server: ReadyS3TestServer) {
  return {
    endpoint: server.endpoint,
    region: server.region,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    forcePathStyle: true,
  };
}

/** A store over the test bucket under a fresh random prefix. */
export function testS3Store(
  server: ReadyS3TestServer,
  options: { prefix?: string; multipartThreshold?: number; partSize?: number } = {},
): S3ObjectStore {
  return createS3ObjectStore({
    bucket: server.bucket,
    prefix: options.prefix ?? `test-${crypto.randomUUID()}`,
    clientConfig: s3ClientConfig(server),
    ...(options.multipartThreshold === undefined
      ? {}
      : { multipartThreshold: options.multipartThreshold }),
    ...(options.partSize === undefined ? {} : { partSize: options.partSize }),
  });
}
