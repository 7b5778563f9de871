import { S3Client } from "@aws-sdk/client-s3";
import type { S3ClientConfig } from "./s3-object-store-options.js";

/**
 * The `S3Client` a store builds from its `clientConfig` when none is injected:
 * path-style addressing whenever an endpoint is set (what S3-compatible servers need),
 * and checksums only where S3 requires them.
 *
 * @example
 * ```ts
 * const client = createS3Client({ endpoint: "http://127.0.0.1:9000", region: "us-east-1" });
 * ```
 */
export function createS3Client(config: S3ClientConfig): S3Client {
  return new S3Client({
    region: config.region ?? "us-east-1",
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    ...(config.credentials === undefined ? {} : { credentials: config.credentials }),
    forcePathStyle: config.forcePathStyle ?? config.endpoint !== undefined,
    // Send checksums only where S3 requires them: several S3-compatible servers
    // reject the SDK's default CRC32 trailers on PutObject and UploadPart.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}
