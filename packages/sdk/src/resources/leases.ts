import type {
  CompleteRequest,
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
}
