import * as crypto from "node:crypto";

/**
 * The format of the fingerprints {@link createRowSetHash} computes (v1), also the tag
 * their last step hashes. Format v2 (`controlroom-rowset-v2+duckdb-<version>`, computed
 * by DuckDB's `hash()` in `@controlroom/adapters/duckdb`) is what the DuckDB
 * lakehouses record; v1 is for engines without a native hash and the reference.
 */
export const ROW_SET_HASH_V1 = "controlroom-rowset-v1";

/** The finished fingerprint of a multiset of rows. */
export interface RowSetDigest {
  /** SHA-256 (lowercase hex) over the row count and the sum of the rows' hashes. */
  sha256: string;
  rowCount: number;
  /** {@link ROW_SET_HASH_V1}: digests of other formats never compare equal to these. */
  format: string;
}

/**
 * Fingerprints a multiset of rows in one pass and constant memory, so equal rows give
 * equal hashes whatever their order, file layout or engine: each row's canonical JSON
 * is hashed with SHA-256 and the digests are added modulo 2^256 (a multiset hash; row
 * order and batch boundaries do not matter, duplicates count). The result hashes the
 * row count and the sum once more.
 *
 * Canonical form: the row's columns sorted by name, each value as JSON where bigints
 * and Dates become strings (`toISOString()`, so millisecond precision), byte arrays
 * base64, nested objects with sorted keys. Leave audit columns out with `exclude`.
 *
 * This detects accidental change (a different row, a missing or extra row); it is not
 * meant to resist someone crafting rows to collide.
 *
 * @example
 * ```ts
 * const hash = createRowSetHash({ exclude: ["_ingested_at"] });
 * for await (const batch of engine.stream("SELECT * FROM silver_invoice")) hash.update(batch.rows);
 * const { sha256, rowCount } = hash.digest();
 * ```
 */
export function createRowSetHash(options: { exclude?: readonly string[] | undefined } = {}) {
  const encode = rowEncoder(new Set(options.exclude ?? []));
  const sum = new DigestSum();
  let rowCount = 0;
  return {
    /** Adds rows to the set. */
    update(rows: readonly Record<string, unknown>[]): void {
      for (const row of rows) {
        sum.add(sha256(encode(row)));
        rowCount += 1;
      }
    },
    /** The fingerprint of every row added so far. */
    digest(): RowSetDigest {
      return finishDigest(rowCount, sum.toHex());
    },
  };
}

/**
 * The fingerprint {@link createRowSetHash} gives, from its two parts computed elsewhere:
 * the row count and the sum of the rows' SHA-256 digests (as big-endian integers) taken
 * modulo 2^256 here. For engines that hash each row's canonical JSON themselves (the
 * DuckDB lakehouses do it in SQL) and hand back only the sum.
 *
 * @example
 * ```ts
 * const { sha256 } = rowSetDigestFromSum(2, digestA + digestB);
 * ```
 */
export function rowSetDigestFromSum(rowCount: number, sum: bigint): RowSetDigest {
  return finishDigest(rowCount, BigInt.asUintN(256, sum).toString(16).padStart(64, "0"));
}

// The one definition of the last step: the row count and the 64-hex-digit sum, hashed.
function finishDigest(rowCount: number, sumHex: string): RowSetDigest {
  const sha256 = crypto
    .createHash("sha256")
    .update(`${ROW_SET_HASH_V1}\n${rowCount}\n${sumHex}`)
    .digest("hex");
  return { sha256, rowCount, format: ROW_SET_HASH_V1 };
}

/** One row as canonical JSON: `[[column, value], …]` sorted by column name. */
export function canonicalRowJson(
  row: Record<string, unknown>,
  exclude: ReadonlySet<string> = new Set(),
): string {
  const names = Object.keys(row)
    .filter((name) => !exclude.has(name))
    .sort();
  return JSON.stringify(names.map((name) => [name, canonicalValue(row[name])]));
}

/**
 * {@link canonicalRowJson} for a stream of rows, written out piece by piece instead of
 * through JSON.stringify of a fresh `[[name, value], …]` array per row. Rows of one
 * result share their columns, so the sorted names and the text around each value are
 * worked out once per shape (the same keys in the same order as the row before).
 * Scalars are written as JSON.stringify writes them inside that array; anything else is
 * JSON.stringify of its `[name, value]` pair, as in canonicalRowJson.
 */
function rowEncoder(exclude: ReadonlySet<string>): (row: Record<string, unknown>) => string {
  let keys: string[] = [];
  let names: string[] = [];
  // Before the value of column i: `[` if first else `],`, then `["name",`.
  let openings: string[] = [];
  // One per column, as each remembers the last day it wrote.
  let dates: IsoDateWriter[] = [];
  return (row) => {
    const rowKeys = Object.keys(row);
    if (!sameKeys(rowKeys, keys)) {
      keys = rowKeys;
      names = rowKeys.filter((name) => !exclude.has(name)).sort();
      openings = names.map((name, index) => `${index === 0 ? "[" : "],"}[${JSON.stringify(name)},`);
      dates = names.map(() => new IsoDateWriter());
    }
    if (names.length === 0) return "[]";
    let json = "";
    for (let index = 0; index < names.length; index++) {
      const name = names[index] as string;
      const value = row[name];
      const scalar = scalarJson(value, dates[index] as IsoDateWriter);
      if (scalar !== undefined) {
        json += openings[index] as string;
        json += scalar;
      } else {
        // The whole pair through JSON.stringify, so toJSON and friends act as before.
        json += index === 0 ? "[" : "],";
        json += JSON.stringify([name, canonicalValue(value)]).slice(0, -1);
      }
    }
    return `${json}]]`;
  };
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

// Characters JSON.stringify escapes (and surrogates, which it escapes when unpaired).
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify(canonicalValue(value)) for scalars; `undefined` for anything else. */
function scalarJson(value: unknown, dates: IsoDateWriter): string | undefined {
  switch (typeof value) {
    case "string":
      return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
    case "number":
      // JSON writes finite numbers as String() does (-0 as "0").
      return Number.isFinite(value) ? String(value) : `"${value}"`;
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return JSON.stringify(value.toString());
    case "undefined":
      return "null";
    case "object":
      if (value === null) return "null";
      // A date with the built-in toISOString; any other goes the general way.
      if (value instanceof Date && value.toISOString === nativeToIsoString) {
        return `"${dates.isoString(value)}"`;
      }
      return undefined;
    default:
      return undefined;
  }
}

const MS_PER_DAY = 86_400_000;
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, "0"));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, "0"));

/**
 * The built-in `date.toISOString()` without its call into the runtime (about 1 µs, and
 * rows carry several dates). One writer serves one column, whose consecutive values
 * are often the same date or at least the same day: the last value and the last day's
 * date part are kept, and the time of day is plain arithmetic. Years outside 0–9999
 * (written ±YYYYYY) and invalid dates (which throw) go to toISOString.
 */
class IsoDateWriter {
  #time = Number.NaN;
  #text = "";
  #day = Number.NaN;
  #datePart = "";
  readonly #scratch = new Date(0);

  isoString(date: Date): string {
    const time = nativeGetTime.call(date);
    if (time === this.#time) return this.#text;
    const day = Math.floor(time / MS_PER_DAY);
    if (day !== this.#day) {
      const scratch = this.#scratch;
      scratch.setTime(time);
      const year = scratch.getUTCFullYear();
      if (!(year >= 0 && year <= 9999)) return date.toISOString();
      this.#day = day;
      this.#datePart = `${String(year).padStart(4, "0")}-${TWO_DIGITS[scratch.getUTCMonth() + 1]}-${TWO_DIGITS[scratch.getUTCDate()]}T`;
    }
    let rest = time - day * MS_PER_DAY; // milliseconds into the day, 0 … 86 399 999
    const millis = rest % 1000;
    rest = (rest - millis) / 1000;
    const seconds = rest % 60;
    rest = (rest - seconds) / 60;
    const minutes = rest % 60;
    const hours = (rest - minutes) / 60;
    this.#time = time;
    this.#text = `${this.#datePart}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[millis]}Z`;
    return this.#text;
  }
}

const nativeToIsoString = Date.prototype.toISOString;
const nativeGetTime = Date.prototype.getTime;

function canonicalValue(value: unknown): unknown {
  // Strings and numbers are most values: tested first, they skip the object checks.
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `base64:${Buffer.from(value).toString("base64")}`;
  if (Array.isArray(value)) return value.map(canonicalValue);
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return Object.fromEntries(entries.map(([key, inner]) => [key, canonicalValue(inner)]));
  }
  return value;
}

// The digest comes back as a 32-character "binary" (latin1) string, one character per byte:
// unlike a Buffer it needs no ArrayBuffer, which costs more than the hashing of a
// short row. The one-shot `crypto.hash` (Node 20.12+) also skips the Hash object
// `createHash` builds per call; the engines field allows 20.11.
const sha256: (text: string) => string =
  typeof crypto.hash === "function"
    ? (text) => crypto.hash("sha256", text, "binary")
    : (text) => crypto.createHash("sha256").update(text).digest("binary");

const LANE = 2 ** 32;
// Each addition puts less than 2^32 into a lane, so a lane that starts below 2^32
// stays exact (below 2^53) for 2^21 additions; carrying every 2^20 leaves room for
// the carry coming in from the lane below.
const CARRY_EVERY = 2 ** 20;

/**
 * @internal Exported for tests only.
 *
 * The sum modulo 2^256 of 32-byte big-endian digests, without a BigInt per row: the sum
 * lives in eight 32-bit lanes held in doubles (lane 0 least significant), and carries
 * move up only every {@link CARRY_EVERY} additions and when the sum is read.
 */
export class DigestSum {
  readonly #lanes = new Float64Array(8);
  #pending = 0;

  /** Adds a digest given as 32 latin1 characters, most significant byte first. */
  add(digest: string): void {
    const lanes = this.#lanes;
    for (let lane = 0, at = 28; lane < 8; lane++, at -= 4) {
      const word =
        digest.charCodeAt(at) * 0x1000000 +
        ((digest.charCodeAt(at + 1) << 16) |
          (digest.charCodeAt(at + 2) << 8) |
          digest.charCodeAt(at + 3));
      lanes[lane] = (lanes[lane] as number) + word;
    }
    if (++this.#pending === CARRY_EVERY) this.#carry();
  }

  /** The sum as 64 lowercase hex digits, as `bigint.toString(16).padStart(64, "0")`. */
  toHex(): string {
    this.#carry();
    let hex = "";
    for (let lane = 7; lane >= 0; lane--) {
      hex += (this.#lanes[lane] as number).toString(16).padStart(8, "0");
    }
    return hex;
  }

  #carry(): void {
    const lanes = this.#lanes;
    let carry = 0;
    for (let lane = 0; lane < 8; lane++) {
      const total = (lanes[lane] as number) + carry;
      const low = total % LANE;
      lanes[lane] = low;
      carry = (total - low) / LANE;
    }
    // What carries out of the top lane is the multiple of 2^256 the modulus drops.
    this.#pending = 0;
  }
}
