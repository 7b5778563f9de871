import type {
  CompleteRequest,
  Completion,
  CompletionResult,
  HeartbeatRequest,
  HeartbeatResponse,
  Run,
} from "@controlroom/contract";
import type { CallOptions } from "../client-options.js";
import type { HttpTransport } from "../internal/http-transport.js";

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
    const runIds = new Set(completions.map((completion) => completion.run_id));
    await Promise.all([...runIds].map((runId) => this.#beforeComplete(runId)));
    const { results } = await this.#http.send({
      endpoint: "completeBatch",
      body: { completions },
      signal: options.signal,
    });
    return results;
  }
}
