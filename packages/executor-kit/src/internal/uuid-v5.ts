import { createHash } from "node:crypto";

/** RFC 9562 version 5: SHA-1 of the namespace's 16 bytes then the name's UTF-8 bytes. */
export function uuidV5(name: string, namespace: string): string {
  const hex = namespace.replaceAll("-", "");
  if (!/^[0-9a-f]{32}$/i.test(hex)) {
    throw new TypeError(`uuidV5(): namespace "${namespace}" is not a UUID`);
  }
  const bytes = createHash("sha1")
    .update(Buffer.from(hex, "hex"))
    .update(name, "utf8")
    .digest()
    .subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const out = bytes.toString("hex");
  return `${out.slice(0, 8)}-${out.slice(8, 12)}-${out.slice(12, 16)}-${out.slice(16, 20)}-${out.slice(20)}`;
}
