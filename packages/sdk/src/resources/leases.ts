import type {
  CompleteBatchResponse,
  CompleteRequest,
  Completion,
  CompletionClaim,
  CompletionResult,
  HeartbeatRequest,
  HeartbeatResponse,
  Run,
} from "@controlroom/contract";
import type { CallOptions } from "../client-options.js";
import type { HttpTransport } from "../internal/http-transport.js";
import { uuidv7 } from "../uuidv7.js";

/**
 * The claim of `leases.completeAndClaim`: the contract's `CompletionClaim` (a batch
 * claim without `wait_ms`) with `request_id` optional (minted once per call when left
 * out; the same on every retry).
 *
 * @example
 * ```ts
 * const claim: CompletionClaimBody = { executor_id: "worker-1", capabilities: [], environments: ["dev"],
 *   max_leases: 2, start: true };
 * ```
 */
export type CompletionClaimBody = Omit<CompletionClaim, "request_id"> & {
  request_id?: string | undefined;
};

/** Runs before a complete is sent, e.g. to flush buffered events first. */
export type BeforeComplete = (runId: string) => Promise<void>;

/**
 * Leases: keep one alive, and finish the phase it covers. Both are fenced by the
 * lease token: a `LeaseLostError` means another attempt owns the phase now.
 *
 * @example
 * ```ts
 * const { cancel_requested } = await client.leases.heartbeat(lease.run_id, { lease_token: lease.lease_token });
 * await client.leases.complete(lease.run_id, { lease_token: lease.lease_token, status: "succeeded", output: {} });
 * ```
 */
export class LeasesResource {
  readonly #http: HttpTransport;
  readonly #beforeComplete: BeforeComplete;
  constructor(http: HttpTransport, beforeComplete: BeforeComplete) {
    this.#http = http;
    this.#beforeComplete = beforeComplete;
  }

  /** Extends the lease; the answer says whether the run was cancelled. */
  async heartbeat(
    runId: string,
    body: HeartbeatRequest,
    options: CallOptions = {},
  ): Promise<HeartbeatResponse> {
    return this.#http.send({
      endpoint: "heartbeat",
      params: { run_id: runId },
      body,
      signal: options.signal,
    });
  }

  /**
   * Completes the leased phase. Events buffered for the run by this client are flushed
   * first, so the trail is complete before the phase's end is recorded. Safe to retry:
   * a repeat of an accepted complete has no second effect.
   */
  async complete(runId: string, body: CompleteRequest, options: CallOptions = {}): Promise<Run> {
    await this.#beforeComplete(runId);
    return this.#http.send({
      endpoint: "completePhase",
      params: { run_id: runId },
      body,
      signal: options.signal,
    });
  }

  /**
   * Completes several leased phases in one request (at most 100), each as
   * {@link complete} would, in one transaction on the server. Events buffered by this
   * client for any of the runs are flushed first. Answers one result per completion,
   * in order: `completed`, or `rejected` where the single complete would have thrown
   * (turn it into that error with `completionError`); a rejected one does not stop the
   * others. Safe to retry: a repeat of an accepted completion has no second effect.
   *
   * @example
   * ```ts
   * const results = await client.leases.completeBatch([
   *   { run_id: a.run_id, lease_token: a.lease_token, status: "succeeded", output: {} },
   *   { run_id: b.run_id, lease_token: b.lease_token, status: "failed",
   *     error: { code: "timeout", message: "the source did not answer" } },
   * ]);
   * ```
   */
  async completeBatch(
    completions: Completion[],
    options: CallOptions = {},
  ): Promise<CompletionResult[]> {
    await this.#flushRuns(completions);
    const { results } = await this.#http.send({
      endpoint: "completeBatch",
      body: { completions },
      signal: options.signal,
    });
    return results;
  }

  /**
   * {@link completeBatch}, then a claim of the caller's next phases in the same request
   * and the same transaction: for a busy worker, one round trip per cycle instead of a
   * complete and a claim. The claim is `claims.claimBatch`'s without `wait_ms` (it never
   * waits) and runs after the completions, so a phase they made runnable can be among
   * the leases. One `request_id` is minted per call, so a retried request answers the
   * same results and the same leases, never more.
   *
   * `leases` is `[]` when nothing was runnable; it is `undefined` only from a control
   * plane older than this call, which ignored the claim (nothing was claimed: claim
   * with `claims.claimBatch` instead).
   *
   * @example
   * ```ts
   * const { results, leases } = await client.leases.completeAndClaim(
   *   [{ run_id: a.run_id, lease_token: a.lease_token, status: "succeeded", output: {} }],
   *   { executor_id: "w1", capabilities: [], environments: ["dev"], max_leases: 1, start: true },
   * );
   * for (const lease of leases ?? []) startPhase(lease);
   * ```
   */
  async completeAndClaim(
    completions: Completion[],
    claim: CompletionClaimBody,
    options: CallOptions = {},
  ): Promise<CompleteBatchResponse> {
    await this.#flushRuns(completions);
    return this.#http.send({
      endpoint: "completeBatch",
      body: { completions, claim: { ...claim, request_id: claim.request_id ?? uuidv7() } },
      signal: options.signal,
    });
  }

  /** Flushes this client's buffered events of every run among `completions`. */
  async #flushRuns(completions: Completion[]): Promise<void> {
    const runIds = new Set(completions.map((completion) => completion.run_id));
    await Promise.all([...runIds].map((runId) => this.#beforeComplete(runId)));
  }
}
