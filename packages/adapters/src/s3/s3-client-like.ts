/**
 * The part of an `@aws-sdk/client-s3` `S3Client` the S3 adapter calls: `send` with an
 * abort signal. Typed structurally so that tests and callers can inject a wrapped or
 * instrumented client; an `S3Client` fits as it is.
 *
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 *
 * const client: S3ClientLike = new S3Client({ region: "eu-west-1" });
 * ```
 */
export interface S3ClientLike {
  send(command: S3CommandLike, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  /** Closes the client's sockets; called by `close()` only for clients the store made. */
  destroy?(): void;
}

/** Any `@aws-sdk/client-s3` command (`new GetObjectCommand({ … })`). */
export interface S3CommandLike {
  readonly input: object;
}
