export { AdapterError, isAdapterError } from "../internal/adapter-error.js";
export type { S3ClientLike, S3CommandLike } from "./s3-client-like.js";
export { createS3ObjectStore, S3ObjectStore } from "./s3-object-store.js";
export {
  type S3ErrorCode,
  S3ObjectStoreError,
  type S3ObjectStoreErrorOptions,
} from "./s3-object-store-error.js";
export type { S3ClientConfig, S3ObjectStoreOptions } from "./s3-object-store-options.js";
