import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { signToken } from "./sign-token.js";
import { VerifiedTokenCache, type VerifiedTokenCacheOptions } from "./verified-token-cache.js";
import { verifyTokenClaims } from "./verify-token.js";

const SECRET = "verified-token-cache-test-secret";
const KEY = new TextEncoder().encode(SECRET);
/** A fixed clock, in whole seconds, so `exp` arithmetic is exact. */
const T0 = 1_800_000_000_000;

/** A cache whose real verifications are counted. */
function countingCache(options: VerifiedTokenCacheOptions = {}) {
  const calls: string[] = [];
  const cache = new VerifiedTokenCache(KEY, {
    ...options,
    verify: (secret, token, verifyOptions) => {
      calls.push(token);
      return verifyTokenClaims(secret, token, verifyOptions);
    },
  });
  return { cache, calls };
}

const token = (tenant: string, expiresIn: string | number = "1h") =>
  signToken({ secret: SECRET, tenant_id: tenant, role: "executor", expiresIn, now: T0 });

describe("VerifiedTokenCache", () => {
  it("verifies a token once and answers its repeats from memory", async () => {
    const { cache, calls } = countingCache();
    const jwt = await token("acme");
    const first = await cache.verify(jwt, T0);
    const again = await cache.verify(jwt, T0 + 60_000);
    expect(again).toEqual(first);
    expect(first).toMatchObject({ tenant_id: "acme", role: "executor" });
    expect(calls).toHaveLength(1);
  });

  it("still rejects a remembered token once it has expired, honouring the clock skew", async () => {
    const { cache, calls } = countingCache({ clockToleranceSeconds: 5 });
    const jwt = await token("acme", 60);
    const exp = T0 + 60_000;
    await cache.verify(jwt, T0);
    // Inside the tolerance the token is still good, and still answered from memory.
    await expect(cache.verify(jwt, exp + 4_999)).resolves.toMatchObject({ tenant_id: "acme" });
    expect(calls).toHaveLength(1);
    await expect(cache.verify(jwt, exp + 5_000)).rejects.toMatchObject({
      code: "unauthorized",
      message: "the token has expired",
    });
    // And every time after: an expired token is never remembered again.
    await expect(cache.verify(jwt, exp + 6_000)).rejects.toMatchObject({ code: "unauthorized" });
    expect(calls).toHaveLength(3);
  });

  it("verifies again when the clock goes back past the first verification", async () => {
    const { cache, calls } = countingCache();
    const notBefore = Math.floor(T0 / 1_000) + 600;
    const jwt = await new SignJWT({ tenant_id: "acme", role: "viewer" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("viewer@acme")
      .setNotBefore(notBefore)
      .setExpirationTime(notBefore + 3_600)
      .sign(KEY);
    await cache.verify(jwt, notBefore * 1_000);
    await expect(cache.verify(jwt, T0)).rejects.toMatchObject({ code: "unauthorized" });
    expect(calls).toHaveLength(2);
  });

  it("remembers at most maxEntries tokens, forgetting the least recently used", async () => {
    const { cache, calls } = countingCache({ maxEntries: 2 });
    const [a, b, c] = await Promise.all([token("a"), token("b"), token("c")]);
    await cache.verify(a, T0);
    await cache.verify(b, T0);
    await cache.verify(a, T0); // a is now the most recently used
    await cache.verify(c, T0); // so b is forgotten
    expect(cache.size).toBe(2);
    await cache.verify(a, T0);
    await cache.verify(c, T0);
    expect(calls).toEqual([a, b, c]);
    await cache.verify(b, T0);
    expect(calls).toEqual([a, b, c, b]);
  });

  it("never remembers a token that failed, nor anything when maxEntries is 0", async () => {
    const { cache, calls } = countingCache();
    const forged = await signToken({
      secret: "another-secret",
      tenant_id: "acme",
      role: "admin",
      now: T0,
    });
    await expect(cache.verify(forged, T0)).rejects.toMatchObject({ code: "unauthorized" });
    await expect(cache.verify(forged, T0)).rejects.toMatchObject({ code: "unauthorized" });
    expect(calls).toHaveLength(2);
    expect(cache.size).toBe(0);

    const uncached = countingCache({ maxEntries: 0 });
    const jwt = await token("acme");
    await uncached.cache.verify(jwt, T0);
    await uncached.cache.verify(jwt, T0);
    expect(uncached.calls).toHaveLength(2);
  });

  it("hands out claims nobody can change for the next request", async () => {
    const { cache } = countingCache();
    const jwt = await token("acme");
    const claims = await cache.verify(jwt, T0);
    expect(() => {
      (claims as { tenant_id: string }).tenant_id = "evil";
    }).toThrow(TypeError);
    expect((await cache.verify(jwt, T0)).tenant_id).toBe("acme");
  });
});
