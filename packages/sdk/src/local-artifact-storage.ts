import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { link, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type ArtifactStorage, artifactKey } from "./artifact-storage.js";

/**
 * Artifact storage in a local directory, producing `file://` URIs, so the SDK works
 * without any object-store adapter. Bytes are streamed once into a temporary file
 * under `<rootDir>/.tmp` while being hashed, then published at
 * `<rootDir>/artifacts/sha256/ab/cd/<sha256>` with `link(2)`, which fails when the
 * target exists (put-if-absent): readers never see a half-written file, and storing
 * the same content twice keeps the first copy.
 *
 * @example
 * ```ts
 * const storage = localArtifactStorage("./.controlroom");
 * await client.artifacts.put({ data: bytes, mediaType: "application/json", storage });
 * ```
 */
export function localArtifactStorage(rootDir: string): ArtifactStorage {
  const root = resolve(rootDir);
  const tempDir = join(root, ".tmp");

  async function publish(tempPath: string, sha256: string): Promise<string> {
    const target = join(root, artifactKey(sha256));
    await mkdir(dirname(target), { recursive: true });
    try {
      await link(tempPath, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // EEXIST: already stored, and the same hash means the same bytes.
      if (code !== "EEXIST") {
        // A file system without hard links: rename is atomic too, and replacing a
        // file with identical bytes is harmless.
        if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP") throw error;
        await rename(tempPath, target);
      }
    } finally {
      await rm(tempPath, { force: true });
    }
    return pathToFileURL(target).href;
  }

  return {
    async put({ sha256, data }) {
      await mkdir(tempDir, { recursive: true });
      const tempPath = join(tempDir, randomUUID());
      await writeFile(tempPath, data);
      return { uri: await publish(tempPath, sha256) };
    },

    async putStream({ data, signal }) {
      await mkdir(tempDir, { recursive: true });
      const tempPath = join(tempDir, randomUUID());
      const hash = createHash("sha256");
      let sizeBytes = 0;
      const out = createWriteStream(tempPath);
      try {
        for await (const chunk of data) {
          signal?.throwIfAborted();
          hash.update(chunk);
          sizeBytes += chunk.byteLength;
          if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
        }
        await new Promise<void>((done, fail) =>
          out.end((error?: Error | null) => (error ? fail(error) : done())),
        );
      } catch (error) {
        // Removed only once the stream has closed: destroyed before its file was open,
        // it still creates the file when the open completes, after an earlier rm.
        if (!out.closed) {
          await new Promise<void>((closed) => {
            out.once("close", () => closed());
            out.destroy();
          });
        }
        await rm(tempPath, { force: true });
        throw error;
      }
      const sha256 = hash.digest("hex");
      return { sha256, sizeBytes, uri: await publish(tempPath, sha256) };
    },
  };
}
