import type {
  ClaimBatchRequest,
  ClaimRequest,
  ClaimRunRequest,
  Lease,
} from "@controlroom/contract";
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
 * The body of `claims.claimBatch`: the contract's `ClaimBatchRequest` with `request_id`
 * optional (minted once per call when left out; the same on every retry).
 *
 * @example
 * ```ts
 * const body: ClaimBatchBody = { executor_id: "worker-1", capabilities: [], environments: ["dev"],
 *   max_leases: 8, wait_ms: 20_000, start: true };
 * ```
 */
export type ClaimBatchBody = Omit<ClaimBatchRequest, "request_id"> & {
  request_id?: string | undefined;
};

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

  /**
   * Claims up to `max_leases` of the oldest runnable phases across runs, oldest first:
   * for a worker with several free slots, one request instead of one per slot. Each
   * lease is what {@link claim} would give. With `wait_ms` the server holds the request
   * until at least one phase is runnable or the wait ends (`[]`). One `request_id` is
   * minted per call, so a retried batch returns the same leases, never more.
   *
   * @example
   * ```ts
   * const leases = await client.claims.claimBatch({ executor_id: "w1", capabilities: [],
   *   environments: ["dev"], max_leases: freeSlots, wait_ms: 20_000, start: true });
   * for (const lease of leases) startPhase(lease);
   * ```
   */
  async claimBatch(body: ClaimBatchBody, options: CallOptions = {}): Promise<Lease[]> {
    const batch = await this.#http.send({
      endpoint: "claimBatch",
      body: { ...body, request_id: body.request_id ?? uuidv7() },
      signal: options.signal,
      extraTimeoutMs: body.wait_ms ?? 0,
    });
    return batch?.leases ?? [];
  }
}
