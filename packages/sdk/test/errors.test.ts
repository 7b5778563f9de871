import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { createApiError } from "../src/errors/api-error.js";
import {
  ApiError,
  ConnectionError,
  ControlRoomError,
  isControlRoomError,
  LeaseLostError,
  TimeoutError,
} from "../src/index.js";
import { isRetryable, parseRetryAfter, retryDelayMs } from "../src/internal/retry-decision.js";

describe("isControlRoomError", () => {
  it("recognises every SDK error and nothing else", () => {
    const apiError = createApiError({
      status: 409,
      code: "lease_lost",
      message: "gone",
      requestId: "r1",
      problem: undefined,
      retryAfterMs: undefined,
    });
    expect(apiError).toBeInstanceOf(LeaseLostError);
    expect(apiError).toBeInstanceOf(ApiError);
    expect(apiError).toBeInstanceOf(ControlRoomError);
    expect(apiError.name).toBe("LeaseLostError");
    for (const error of [apiError, new ConnectionError("x"), new TimeoutError("y")]) {
      expect(isControlRoomError(error)).toBe(true);
    }
    for (const value of [new Error("x"), null, undefined, "lease_lost", { code: "lease_lost" }]) {
      expect(isControlRoomError(value)).toBe(false);
    }
  });

  it("works across realms, where instanceof does not", () => {
    // An error made by a copy of the SDK loaded in another realm carries the same brand.
    const foreign = runInNewContext(`
      class ControlRoomError extends Error {}
      Object.defineProperty(ControlRoomError.prototype, Symbol.for("@controlroom/sdk/error"), { value: true });
      const error = new ControlRoomError("from elsewhere");
      error.code = "not_found";
      error;
    `) as unknown;
    expect(foreign instanceof ControlRoomError).toBe(false);
    expect(isControlRoomError(foreign)).toBe(true);
    expect(isControlRoomError(runInNewContext("new Error('plain')"))).toBe(false);
  });
});

describe("retry decisions", () => {
  const api = (
    status: number,
    code: Parameters<typeof createApiError>[0]["code"],
    retryAfterMs?: number,
  ) =>
    createApiError({
      status,
      code,
      message: "",
      requestId: undefined,
      problem: undefined,
      retryAfterMs,
    });

  it("retries no response, 408, 429 and 5xx only", () => {
    expect(isRetryable(new ConnectionError("x"))).toBe(true);
    expect(isRetryable(new TimeoutError("x"))).toBe(true);
    expect(isRetryable(api(429, "rate_limited"))).toBe(true);
    expect(isRetryable(api(503, "unavailable"))).toBe(true);
    expect(isRetryable(api(500, "internal"))).toBe(true);
    for (const [status, code] of [
      [400, "validation_failed"],
      [401, "unauthorized"],
      [403, "forbidden"],
      [404, "not_found"],
      [409, "lease_lost"],
      [409, "idempotency_conflict"],
      [409, "conflict"],
      [413, "payload_too_large"],
    ] as const) {
      expect(isRetryable(api(status, code))).toBe(false);
    }
    expect(isRetryable(new Error("bug"))).toBe(false);
  });

  it("backs off exponentially with at most 20% jitter, capped at maxDelayMs", () => {
    const policy = { initialDelayMs: 100, maxDelayMs: 1_000 };
    const error = new ConnectionError("x");
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(error, n, policy, () => 0))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
    expect(retryDelayMs(error, 1, policy, () => 0.999)).toBeLessThanOrEqual(120);
    expect(retryDelayMs(error, 6, policy, () => 0.999)).toBeLessThanOrEqual(1_200);
  });

  it("uses the server's Retry-After as given", () => {
    const policy = { initialDelayMs: 100, maxDelayMs: 1_000 };
    expect(retryDelayMs(api(429, "rate_limited", 5_000), 1, policy)).toBe(5_000);
    expect(parseRetryAfter("2")).toBe(2_000);
    expect(parseRetryAfter("0.5")).toBe(500);
    expect(
      parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", Date.parse("2015-10-21T07:27:00Z")),
    ).toBe(60_000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
