import type { Lease } from "@controlroom/contract";
import type { Logger } from "pino";
import { ExecutorKitError } from "../errors/executor-kit-error.js";
import type { WorkerClient } from "../worker/worker-client.js";
import { clientErrorKind } from "./client-error-kind.js";
import type { ProgressReport } from "./progress-throttle.js";
import type { Redactor } from "./redactor.js";

/** What a {@link LeaseKeeper} needs. */
export interface LeaseKeeperOptions {
  client: WorkerClient;
  lease: Lease;
  logger: Logger;
  redactor: Redactor;
  /** The progress to send with the next heartbeat. */
  progress: () => ProgressReport | undefined;
  /** Called once, when the lease is lost or the run cancelled. */
  onLost: (reason: ExecutorKitError) => void;
}

/**
 * Keeps one lease alive: heartbeats every `heartbeat_interval_ms`, retries failed
 * heartbeats sooner, and gives the lease up (calling `onLost`) when the server says
 * `lease_lost` or `cancel_requested`, or when `expires_at` passes without a successful
 * heartbeat — by then another worker may hold the phase, so ours must stop.
 */
export class LeaseKeeper {
  readonly #options: LeaseKeeperOptions;
  #expiresAt: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #expiryTimer: ReturnType<typeof setTimeout> | undefined;
  #inFlight: AbortController | undefined;
  #stopped = false;

  constructor(options: LeaseKeeperOptions) {
    this.#options = options;
    this.#expiresAt = Date.parse(options.lease.expires_at);
  }

  /** When the lease expires, as far as the last heartbeat said (epoch ms). */
  get expiresAt(): number {
    return this.#expiresAt;
  }

  /**
   * Heartbeats at once, then every interval; resolves when the first heartbeat has
   * answered. That first heartbeat moves the phase from `claimed` to `running` and has
   * the server write `PHASE_STARTED`. A lease whose claim started the attempt
   * (`started`) needs none: the first heartbeat then comes after one interval.
   */
  async start(): Promise<void> {
    this.#armExpiry();
    if (this.#options.lease.started === true) {
      this.#schedule(this.#options.lease.heartbeat_interval_ms);
      return;
    }
    await this.#beat();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer);
    this.#inFlight?.abort();
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#beat(), delayMs);
  }

  #armExpiry(): void {
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer);
    // Assumes clocks within a second or so of the server's (NTP); the server's own
    // expiry is what counts, this only stops our side in time.
    const remaining = this.#expiresAt - Date.now();
    this.#expiryTimer = setTimeout(
      () => this.#lose(new ExecutorKitError("lease_lost", "the lease expired without a heartbeat")),
      Math.max(0, remaining),
    );
  }

  async #beat(): Promise<void> {
    const { client, lease, logger, redactor } = this.#options;
    const controller = new AbortController();
    this.#inFlight = controller;
    const progress = this.#options.progress();
    try {
      const response = await client.leases.heartbeat(
        lease.run_id,
        { lease_token: lease.lease_token, ...(progress ? { progress } : {}) },
        { signal: controller.signal },
      );
      if (this.#stopped) return;
      this.#expiresAt = Date.parse(response.expires_at);
      this.#armExpiry();
      if (response.cancel_requested) {
        this.#lose(new ExecutorKitError("cancelled", "the run was cancelled"));
        return;
      }
      this.#schedule(lease.heartbeat_interval_ms);
    } catch (error) {
      if (this.#stopped) return;
      if (clientErrorKind(error) === "lease_lost") {
        this.#lose(
          new ExecutorKitError("lease_lost", "the control plane says the lease is lost", {
            cause: error,
          }),
        );
        return;
      }
      logger.warn(
        { err: redactor.redactString(String((error as Error)?.message ?? error)) },
        "heartbeat failed; retrying",
      );
      this.#schedule(Math.min(lease.heartbeat_interval_ms, 1_000));
    } finally {
      if (this.#inFlight === controller) this.#inFlight = undefined;
    }
  }

  #lose(reason: ExecutorKitError): void {
    if (this.#stopped) return;
    this.stop();
    this.#options.onLost(reason);
  }
}
