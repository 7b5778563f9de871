/**
 * JSON with object keys sorted at every level and no whitespace: the byte form two
 * parties hash to compare manifests. Arrays keep their order; `undefined` members are
 * left out as `JSON.stringify` does.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }); // '{"a":[{"c":3,"d":2}],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    }
    return sorted;
  }
  return value;
}

/**
 * SHA-256 (lowercase hex) of a manifest's canonical JSON: the one number that says
 * whether a rebuild produced the same outputs. Uses Web Crypto, so it runs in Node and
 * in browsers alike.
 *
 * @example
 * ```ts
 * const sha = await manifestSha256(run.output_manifest);
 * ```
 */
export async function manifestSha256(manifest: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalJson(manifest));
  const digest = await globalThis.crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
