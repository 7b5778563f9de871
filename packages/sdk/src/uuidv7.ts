// Random bytes are drawn in blocks: a call of crypto.getRandomValues costs far more than
// the bytes it returns, and a busy worker mints several ids per phase. Node's own
// randomUUID() keeps a similar cache of entropy.
const POOL_BYTES = 4096;
const pool = new Uint8Array(POOL_BYTES);
let poolOffset = POOL_BYTES;

// "00" … "ff", so formatting is one lookup per byte.
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

let lastMs = -1;
let sequence = 0;

/** Where `count` fresh random bytes start in `pool`; refills it when too few are left. */
function takeRandom(count: number): number {
  if (poolOffset + count > POOL_BYTES) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const start = poolOffset;
  poolOffset += count;
  return start;
}

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then randomness, so ids
 * sort by creation time. Ids minted in the same millisecond by this process stay in
 * order (a 12-bit counter fills `rand_a`).
 *
 * @example
 * ```ts
 * const id = uuidv7(); // "0190b7a4-8f1e-7c3a-9d2b-1a2b3c4d5e6f"
 * ```
 */
export function uuidv7(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    // A random start below 1024 leaves room for 3,000+ more ids in this millisecond.
    const at = takeRandom(2);
    sequence = ((pool[at]! << 8) | pool[at + 1]!) & 0x3ff;
  } else {
    sequence += 1;
    if (sequence > 0xfff) {
      // Counter exhausted within one millisecond: borrow the next millisecond.
      lastMs += 1;
      sequence = 0;
    }
  }
  const ms = lastMs;
  const r = takeRandom(8);
  // 2 ** 32 splits the 48-bit time into parts that bitwise operators can handle.
  const high = Math.floor(ms / 2 ** 32);
  return (
    HEX[(high >>> 8) & 0xff]! +
    HEX[high & 0xff]! +
    HEX[(ms >>> 24) & 0xff]! +
    HEX[(ms >>> 16) & 0xff]! +
    "-" +
    HEX[(ms >>> 8) & 0xff]! +
    HEX[ms & 0xff]! +
    "-" +
    HEX[0x70 | ((sequence >>> 8) & 0x0f)]! +
    HEX[sequence & 0xff]! +
    "-" +
    HEX[0x80 | (pool[r]! & 0x3f)]! +
    HEX[pool[r + 1]!]! +
    "-" +
    HEX[pool[r + 2]!]! +
    HEX[pool[r + 3]!]! +
    HEX[pool[r + 4]!]! +
    HEX[pool[r + 5]!]! +
    HEX[pool[r + 6]!]! +
    HEX[pool[r + 7]!]!
  );
}
