import { describe, expect, it } from "vitest";
import { isControlPlaneError } from "../control-plane-error.js";
import { readJsonBody } from "./read-json-body.js";

const post = (body: Uint8Array | string, contentType = "application/json") =>
  new Request("http://localhost/ops/runs", {
    method: "POST",
    headers: { "content-type": contentType },
    body,
  });

async function failure(request: Request): Promise<{ code: string; message: string }> {
  const error = await readJsonBody(request, 1024).catch((e: unknown) => e);
  if (!isControlPlaneError(error)) throw new Error(`expected a ControlPlaneError, got ${error}`);
  return { code: error.code, message: error.message };
}

describe("readJsonBody", () => {
  it("reads a JSON object, with or without parameters on the media type", async () => {
    await expect(readJsonBody(post('{"a":"é"}'), 1024)).resolves.toEqual({ a: "é" });
    await expect(
      readJsonBody(post('{"a":1}', "Application/JSON; charset=utf-8"), 1024),
    ).resolves.toEqual({ a: 1 });
    await expect(
      readJsonBody(post('{"a":1}', "application/merge-patch+json"), 1024),
    ).resolves.toEqual({ a: 1 });
  });

  it("refuses bytes that are not UTF-8, and decodes the next body as usual", async () => {
    // 0xC3 starts a two-byte sequence that 0x28 does not continue.
    const invalid = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]);
    expect(await failure(post(invalid))).toEqual({
      code: "validation_failed",
      message: "the request body is not valid UTF-8",
    });
    // The decoder is shared between requests: a failure must leave nothing behind.
    const truncated = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe2, 0x82]);
    expect((await failure(post(truncated))).message).toBe("the request body is not valid UTF-8");
    await expect(readJsonBody(post('{"a":"€"}'), 1024)).resolves.toEqual({ a: "€" });
  });

  it("refuses other content types, malformed JSON and JSON that is not an object", async () => {
    expect((await failure(post('{"a":1}', "text/plain"))).message).toMatch(/Content-Type/);
    expect((await failure(post("{"))).message).toBe("the request body is not valid JSON");
    expect((await failure(post("[1]"))).message).toBe("the request body must be a JSON object");
  });

  it("reads an empty body as {}", async () => {
    await expect(readJsonBody(post(""), 1024)).resolves.toEqual({});
  });
});
