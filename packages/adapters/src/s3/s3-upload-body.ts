import { open, stat } from "node:fs/promises";

/**
 * The bytes of an upload, read a slice at a time: either a buffer in memory or a local
 * file, so that a multipart upload of a large file holds only the parts in flight.
 */
export interface S3UploadBody {
  /** Total length in bytes. */
  readonly size: number;
  /** Bytes `[start, end)`; `end` is at most `size`. */
  read(start: number, end: number): Promise<Uint8Array>;
  /** Releases what the body holds open (a file handle); idempotent. */
  close(): Promise<void>;
}

/**
 * A body over bytes already in memory; slices share the buffer (no copies).
 *
 * @example
 * ```ts
 * const body = bytesBody(new TextEncoder().encode("hello"));
 * await body.read(0, 2); // "he"
 * ```
 */
export function bytesBody(data: Uint8Array): S3UploadBody {
  return {
    size: data.byteLength,
    read: async (start, end) => data.subarray(start, end),
    close: async () => {},
  };
}

/**
 * A body over a local file: its size is taken once, when opened, and each slice is
 * read from the file when asked for. Changing the file during the upload is the
 * caller's mistake (the object would mix old and new bytes).
 *
 * @example
 * ```ts
 * const body = await fileBody("/tmp/part-0.parquet");
 * try { await body.read(0, 4); } finally { await body.close(); }
 * ```
 */
export async function fileBody(path: string): Promise<S3UploadBody> {
  const handle = await open(path, "r");
  try {
    const { size } = await stat(path);
    let closed = false;
    return {
      size,
      async read(start, end) {
        const buffer = new Uint8Array(end - start);
        let done = 0;
        while (done < buffer.byteLength) {
          const { bytesRead } = await handle.read(
            buffer,
            done,
            buffer.byteLength - done,
            start + done,
          );
          if (bytesRead === 0) throw new Error(`${path} ended at ${start + done} of ${size} bytes`);
          done += bytesRead;
        }
        return buffer;
      },
      async close() {
        if (closed) return;
        closed = true;
        await handle.close();
      },
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
