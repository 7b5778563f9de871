import { createHash } from "node:crypto";

const MODULUS_MASK = (1n << 256n) - 1n;
const VERSION_TAG = "controlroom-rowset-v1";

/** The finished fingerprint of a multiset of rows. */
export interface RowSetDigest {
  /** SHA-256 (lowercase hex) over the row count and the sum of the rows' hashes. */
  sha256: string;
  rowCount: number;
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
  const excluded = new Set(options.exclude ?? []);
  let sum = 0n;
  let rowCount = 0;
  return {
    /** Adds rows to the set. */
    update(rows: readonly Record<string, unknown>[]): void {
      for (const row of rows) {
        const digest = createHash("sha256").update(canonicalRowJson(row, excluded)).digest("hex");
        sum = (sum + BigInt(`0x${digest}`)) & MODULUS_MASK;
        rowCount += 1;
      }
    },
    /** The fingerprint of every row added so far. */
    digest(): RowSetDigest {
      const sumHex = sum.toString(16).padStart(64, "0");
      const sha256 = createHash("sha256")
        .update(`${VERSION_TAG}\n${rowCount}\n${sumHex}`)
        .digest("hex");
      return { sha256, rowCount };
    },
  };
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

function canonicalValue(value: unknown): unknown {
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
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}
