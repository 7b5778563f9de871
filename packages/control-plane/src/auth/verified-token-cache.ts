import type { AuthClaims } from "../ops-store.js";
import {
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  type VerifiedToken,
  type VerifyTokenOptions,
  verifyTokenClaims,
} from "./verify-token.js";

/** Options of {@link VerifiedTokenCache}. */
export interface VerifiedTokenCacheOptions {
  /**
   * Most tokens remembered; past it the least recently used is forgotten. 0 verifies
   * every token every time.
   * @default 10_000
   */
  maxEntries?: number | undefined;
  /** Seconds of clock skew tolerated on `exp` and `nbf`, as {@link verifyTokenClaims}. @default 5 */
  clockToleranceSeconds?: number | undefined;
  /** What verifies a token the cache does not know (tests count its calls). @default verifyTokenClaims */
  verify?:
    | ((secret: Uint8Array, token: string, options: VerifyTokenOptions) => Promise<VerifiedToken>)
    | undefined;
}

interface Entry {
  claims: AuthClaims;
  /** The first millisecond at which the token may have expired (`exp` plus the tolerance). */
  expiresAtMs: number;
  /** When it was verified: a clock that went back past this gets a fresh verification. */
  verifiedAtMs: number;
}

/**
 * Verifies bearer tokens and remembers the verdict until the token expires. Workers send
 * the same token on every call, and an HMAC through WebCrypto per request was a sixth of
 * the server's CPU. Only successes are remembered (a bad token costs a verification
 * every time, as before); a remembered token is answered from memory while the clock is
 * before its `exp` plus the clock tolerance, and verified again from then on, so it is
 * rejected after expiry exactly as without the cache. Its `nbf` was met when it was
 * verified and stays met while the clock moves forward.
 *
 * @example
 * ```ts
 * const tokens = new VerifiedTokenCache(secretKey);
 * const claims = await tokens.verify(token, Date.now());
 * ```
 */
export class VerifiedTokenCache {
  readonly #secret: Uint8Array;
  readonly #maxEntries: number;
  readonly #toleranceSeconds: number;
  readonly #verify: NonNullable<VerifiedTokenCacheOptions["verify"]>;
  // A Map iterates in insertion order: re-inserting on a hit makes the first key the
  // least recently used.
  readonly #entries = new Map<string, Entry>();

  constructor(secret: Uint8Array, options: VerifiedTokenCacheOptions = {}) {
    this.#secret = secret;
    this.#maxEntries = Math.max(0, Math.floor(options.maxEntries ?? 10_000));
    this.#toleranceSeconds = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
    this.#verify = options.verify ?? verifyTokenClaims;
  }

  /** Tokens remembered now. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The claims of `token` at time `now` (milliseconds since the epoch), or a
   * `ControlPlaneError` with code `unauthorized`, as {@link verifyTokenClaims}.
   */
  async verify(token: string, now: number): Promise<AuthClaims> {
    const entry = this.#entries.get(token);
    if (entry !== undefined) {
      this.#entries.delete(token);
      if (now < entry.expiresAtMs && now >= entry.verifiedAtMs) {
        this.#entries.set(token, entry);
        return entry.claims;
      }
    }
    const verified = await this.#verify(this.#secret, token, {
      now,
      clockToleranceSeconds: this.#toleranceSeconds,
    });
    if (this.#maxEntries > 0) {
      this.#entries.set(token, {
        // Shared by every request that presents the token: nobody may change it.
        claims: Object.freeze(verified.claims),
        // jose rejects once `exp <= now - tolerance` (whole seconds); before
        // `(exp + tolerance) * 1000` ms that can never hold, so the cache is never laxer.
        expiresAtMs:
          verified.expiresAt === undefined
            ? Number.POSITIVE_INFINITY
            : (verified.expiresAt + this.#toleranceSeconds) * 1000,
        verifiedAtMs: now,
      });
      if (this.#entries.size > this.#maxEntries) {
        const oldest = this.#entries.keys().next();
        if (!oldest.done) this.#entries.delete(oldest.value);
      }
    }
    return verified.claims;
  }
}
