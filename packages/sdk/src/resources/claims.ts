import type { ClaimRequest, ClaimRunRequest, Lease } from "@controlroom/contract";
import type { CallOptions } from "../client-options.js";
import type { HttpTransport } from "../internal/http-transport.js";
import { uuidv7 } from "../uuidv7.js";

/**
 * The body of `claims.claimRun`: the contract's `ClaimRunRequest` with `request_id`
 * optional (minted once per call when left out; the same on every retry).
 *
 * @example
 * ```ts
 * const body: ClaimRunBody = { executor_id: "worker-1", capabilities: ["duckdb"], lease_seconds: 120 };
 * ```
 */
export type ClaimRunBody = Omit<ClaimRunRequest, "request_id"> & {
  request_id?: string | undefined;
};
/**
 * The body of `claims.claim`: the contract's `ClaimRequest` with `request_id` optional
 * (minted once per call when left out; the same on every retry).
 *
 * @example
 * ```ts
 * const body: ClaimBody = { executor_id: "worker-1", capabilities: [], environments: ["dev"], wait_ms: 20_000 };
 * ```
 */
export type ClaimBody = Omit<ClaimRequest, "request_id"> & { request_id?: string | undefined };

/**
 * Claims: take the next runnable phase and get a lease on it. The `request_id` is
 * minted once per call, so a retried claim returns the same lease, never a second.
 *
 * @example
 * ```ts
 * const lease = await client.claims.claim({ executor_id: "w1", capabilities: ["duckdb"],
 *   environments: ["dev"], wait_ms: 20_000 });
 * if (lease) console.log(lease.phase, lease.attempt);
 * ```
 */
export class ClaimsResource {
  readonly #http: HttpTransport;
  constructor(http: HttpTransport) {
    this.#http = http;
  }

  /** Claims the next runnable phase of one run; `null` when nothing is runnable. */
  async claimRun(
    runId: string,
    body: ClaimRunBody,
    options: CallOptions = {},
  ): Promise<Lease | null> {
    return this.#http.send({
      endpoint: "claimRun",
      params: { run_id: runId },
      body: { ...body, request_id: body.request_id ?? uuidv7() },
      signal: options.signal,
    });
  }

  /**
   * Claims the oldest runnable phase across runs; with `wait_ms` the server holds the
   * request until work appears or the wait ends (`null`).
   */
  async claim(body: ClaimBody, options: CallOptions = {}): Promise<Lease | null> {
    return this.#http.send({
      endpoint: "claim",
      body: { ...body, request_id: body.request_id ?? uuidv7() },
      signal: options.signal,
      extraTimeoutMs: body.wait_ms ?? 0,
    });
  }
}
