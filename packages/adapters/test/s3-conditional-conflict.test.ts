import { describe, expect, it } from "vitest";
import { createS3ObjectStore, type S3ClientLike, S3ObjectStoreError } from "../src/s3/index.js";

// Real servers answer 409 ConditionalRequestConflict only under precise timing (AWS,
// when two conditional writes on one key overlap), so this one case uses a scripted
// client: the rest of the S3 adapter is tested against MinIO.
function scriptedClient(statuses: number[]): S3ClientLike & { calls: number } {
  const client = {
    calls: 0,
    async send() {
      const status = statuses[client.calls++];
      if (status === undefined || status === 200) return { ETag: '"abc"' };
      const error = Object.assign(new Error(`HTTP ${status}`), {
        name: status === 409 ? "ConditionalRequestConflict" : "PreconditionFailed",
        $metadata: { httpStatusCode: status, requestId: "req-1" },
      });
      throw error;
    },
  };
  return client;
}

const bytes = new TextEncoder().encode("x");

describe("S3ObjectStore conditional write conflicts (409)", () => {
  it("retries a 409 and reports the other writer's win as undefined", async () => {
    const client = scriptedClient([409, 409, 412]);
    const store = createS3ObjectStore({ bucket: "lake", client });
    expect(await store.putIfAbsent("k", bytes)).toBeUndefined();
    expect(client.calls).toBe(3);
  });

  it("retries a 409 and succeeds when the other write went away", async () => {
    const client = scriptedClient([409, 200]);
    const store = createS3ObjectStore({ bucket: "lake", client });
    expect(await store.putIfAbsent("k", bytes)).toMatchObject({ key: "k", etag: '"abc"' });
  });

  it("gives up with S3_CONFLICT after conflictAttempts", async () => {
    const client = scriptedClient([409, 409, 409]);
    const store = createS3ObjectStore({ bucket: "lake", client, conflictAttempts: 3 });
    const error = await store.putIfAbsent("k", bytes).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(S3ObjectStoreError);
    expect(error).toMatchObject({ code: "S3_CONFLICT", status: 409, requestId: "req-1" });
    expect(client.calls).toBe(3);
  });
});
