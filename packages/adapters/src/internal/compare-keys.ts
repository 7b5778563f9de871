/**
 * Orders object keys by their UTF-8 bytes, the order S3 lists in, so that every store
 * lists the same keys in the same order (JavaScript's default sort compares UTF-16 code
 * units, which differs for characters outside the Basic Multilingual Plane).
 *
 * @example
 * ```ts
 * ["b", "a/c", "a-b"].sort(compareKeys); // ["a-b", "a/c", "b"]
 * ```
 */
export function compareKeys(a: string, b: string): number {
  // Without encoding either side (a listing sorts thousands of names): the first code
  // unit that differs decides, once ranked in UTF-8 order.
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const x = a.charCodeAt(index);
    const y = b.charCodeAt(index);
    if (x !== y) return utf8Rank(x) - utf8Rank(y);
  }
  return a.length - b.length;
}

// UTF-16 code units sort as UTF-8 bytes do, except that surrogates (code points past
// U+FFFF, four UTF-8 bytes) must come after U+E000–U+FFFF (three bytes beginning EE–EF).
function utf8Rank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}
