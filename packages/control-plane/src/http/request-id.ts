import { randomUUID } from "node:crypto";

/** The header a request id travels in, both ways. */
export const REQUEST_ID_HEADER = "x-request-id";

// Echoed into a response header and logs, so only short, plain tokens are trusted.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/**
 * The request id to answer with: the client's `x-request-id` when it is a short plain
 * token, otherwise a fresh UUID.
 *
 * @example
 * ```ts
 * requestIdFrom("abc-123"); // "abc-123"
 * requestIdFrom("<script>"); // a new UUID
 * ```
 */
export function requestIdFrom(header: string | undefined): string {
  return header !== undefined && SAFE_REQUEST_ID.test(header) ? header : randomUUID();
}
