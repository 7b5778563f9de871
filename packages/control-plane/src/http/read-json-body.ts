import { ControlPlaneError } from "../control-plane-error.js";

// One decoder for every request: without `stream`, decode() keeps no state between
// calls, and making a decoder per request cost more than decoding a small body.
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads a request body as a JSON object, enforcing `limitBytes` on the declared
 * `Content-Length` and again on the bytes that actually arrive (a chunked or lying
 * client cannot get past it). An empty body reads as `{}`, so a body whose fields are
 * all optional (cancel) may be left out. Throws `ControlPlaneError`:
 * `payload_too_large` over the limit; `validation_failed` for a non-JSON content type,
 * bytes that are not UTF-8, malformed JSON, or JSON that is not an object.
 *
 * @example
 * ```ts
 * const body = await readJsonBody(c.req.raw, 8 * 1024 * 1024);
 * ```
 */
export async function readJsonBody(request: Request, limitBytes: number): Promise<object> {
  assertDeclaredLength(request, limitBytes);
  const bytes = await readLimited(request, limitBytes);
  if (bytes.byteLength === 0) return {};
  if (!isJsonContentType(request.headers.get("content-type"))) {
    throw new ControlPlaneError(
      "validation_failed",
      "the request body must be sent with Content-Type: application/json",
    );
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new ControlPlaneError("validation_failed", "the request body is not valid UTF-8");
  }
  if (text.trim().length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the input, which may hold a secret: say less.
    throw new ControlPlaneError("validation_failed", "the request body is not valid JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ControlPlaneError("validation_failed", "the request body must be a JSON object");
  }
  return value;
}

/** Throws 413 when `Content-Length` alone already says the body is too large. */
export function assertDeclaredLength(request: Request, limitBytes: number): void {
  const declared = request.headers.get("content-length");
  if (declared === null) return;
  const length = Number(declared);
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new ControlPlaneError("validation_failed", "the Content-Length header is not a number");
  }
  if (length > limitBytes) throw tooLarge(limitBytes);
}

function isJsonContentType(header: string | null): boolean {
  if (header === null) return false;
  if (header === "application/json") return true;
  const mediaType = header.split(";", 1)[0]!.trim().toLowerCase();
  return mediaType === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
}

async function readLimited(request: Request, limitBytes: number): Promise<Uint8Array> {
  if (request.headers.get("content-length") !== null) {
    // Declared and within the limit (checked above), and HTTP framing delivers exactly
    // that many bytes, so read it whole: on the Node server this reads the socket
    // directly, where touching `body` would build a web Request and stream for nothing.
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.byteLength > limitBytes) throw tooLarge(limitBytes);
    return bytes;
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limitBytes) {
      // Stop reading; the rest is discarded by the server adapter.
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limitBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(limitBytes: number): ControlPlaneError {
  return new ControlPlaneError(
    "payload_too_large",
    `the request body is larger than the limit of ${limitBytes} bytes`,
  );
}
