import {
  type ClaimRequest,
  type ClaimRunRequest,
  type Lease,
  LeaseSchema,
} from "@controlroom/contract";
import type { CallOptions } from "../client-options.js";
import type { HttpTransport } from "../internal/http-transport.js";
import { uuidv7 } from "../uuidv7.js";

/** A claim body whose `request_id` the SDK mints when left out. */
export type ClaimRunBody = Omit<ClaimRunRequest, "request_id"> & {
  request_id?: string | undefined;
};
/** A cross-run claim body whose `request_id` the SDK mints when left out. */
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
    const { data } = await this.#http.send({
      method: "POST",
      path: `/ops/runs/${encodeURIComponent(runId)}/claim`,
      body: { ...body, request_id: body.request_id ?? uuidv7() },
      schema: LeaseSchema,
      signal: options.signal,
    });
    return data;
  }

  /**
   * Claims the oldest runnable phase across runs; with `wait_ms` the server holds the
   * request until work appears or the wait ends (`null`).
   */
  async claim(body: ClaimBody, options: CallOptions = {}): Promise<Lease | null> {
    const { data } = await this.#http.send({
      method: "POST",
      path: "/ops/claims",
      body: { ...body, request_id: body.request_id ?? uuidv7() },
      schema: LeaseSchema,
      signal: options.signal,
      extraTimeoutMs: body.wait_ms ?? 0,
    });
    return data;
  }
}
