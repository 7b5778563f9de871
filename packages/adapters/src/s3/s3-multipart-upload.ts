import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  type CompleteMultipartUploadCommandOutput,
  CreateMultipartUploadCommand,
  type CreateMultipartUploadCommandOutput,
  UploadPartCommand,
  type UploadPartCommandOutput,
} from "@aws-sdk/client-s3";
import type { S3ClientLike } from "./s3-client-like.js";
import type { S3UploadBody } from "./s3-upload-body.js";

/** One object to upload in parts. */
export interface MultipartUploadInput {
  client: S3ClientLike;
  bucket: string;
  /** The full key in the bucket (prefix included). */
  key: string;
  /** The bytes, read one part at a time (parts in flight are all that is held). */
  body: S3UploadBody;
  contentType: string;
  partSize: number;
  concurrency: number;
  /**
   * The precondition checked when the upload completes: `IfNoneMatch: "*"` makes the
   * whole upload a create-if-absent, `IfMatch` a compare-and-swap.
   */
  condition: { IfNoneMatch?: "*"; IfMatch?: string };
  signal: AbortSignal | undefined;
}

/**
 * Uploads `body` with CreateMultipartUpload, parallel UploadPart calls and
 * CompleteMultipartUpload. The object appears only when the upload completes, so the
 * condition goes on the complete call: S3 checks it there, atomically with making the
 * object visible. On any failure (including a failed condition, an HTTP 412 the caller
 * sees as the SDK's error) the upload is aborted so that its parts stop costing storage.
 *
 * @example
 * ```ts
 * await uploadMultipart({ client, bucket, key, body: bytesBody(data), contentType: "application/octet-stream",
 *   partSize: 8 << 20, concurrency: 4, condition: { IfNoneMatch: "*" }, signal });
 * ```
 */
export async function uploadMultipart(
  input: MultipartUploadInput,
): Promise<CompleteMultipartUploadCommandOutput> {
  const { client, bucket, key, body: source, signal } = input;
  const abortSignal = signal === undefined ? {} : { abortSignal: signal };
  const created = (await client.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: input.contentType }),
    abortSignal,
  )) as CreateMultipartUploadCommandOutput;
  const uploadId = created.UploadId;
  if (uploadId === undefined) throw new Error("CreateMultipartUpload returned no UploadId");
  try {
    const count = Math.ceil(source.size / input.partSize);
    const etags: string[] = new Array(count);
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const index = next++;
        const start = index * input.partSize;
        // Read when its turn comes: at most `concurrency` parts are in memory at once.
        const body = await source.read(start, Math.min(start + input.partSize, source.size));
        const part = (await client.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: index + 1,
            Body: body,
            ContentLength: body.byteLength,
          }),
          abortSignal,
        )) as UploadPartCommandOutput;
        if (part.ETag === undefined) throw new Error(`UploadPart ${index + 1} returned no ETag`);
        etags[index] = part.ETag;
      }
    };
    await Promise.all(Array.from({ length: Math.min(input.concurrency, count) }, worker));
    return (await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: {
          Parts: etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })),
        },
        ...input.condition,
      }),
      abortSignal,
    )) as CompleteMultipartUploadCommandOutput;
  } catch (error) {
    // Without the caller's signal: it may be the reason we are here.
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
      .catch(() => undefined);
    throw error;
  }
}
