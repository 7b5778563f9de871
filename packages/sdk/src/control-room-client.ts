import type { ControlRoomClientOptions } from "./client-options.js";
import type { EventBuffer } from "./event-buffer.js";
import { HttpTransport } from "./internal/http-transport.js";
import { normalizeClientOptions } from "./internal/normalize-client-options.js";
import { ArtifactsResource } from "./resources/artifacts.js";
import { ClaimsResource } from "./resources/claims.js";
import { EventsResource } from "./resources/events.js";
import { LeasesResource } from "./resources/leases.js";
import { RunsResource } from "./resources/runs.js";

/**
 * The typed client of the Control Room control plane. Every call is safe to retry:
 * creates carry an idempotency key, claims a `request_id`, events their `event_id`s,
 * all minted once per logical call before the first attempt. Network errors, 408,
 * 429 and 5xx are retried with exponential backoff and jitter, honouring
 * `Retry-After`; other 4xx are thrown at once as typed errors.
 *
 * @example
 * ```ts
 * import { ControlRoomClient } from "@controlroom/sdk";
 * const client = new ControlRoomClient(); // CONTROLROOM_URL and CONTROLROOM_TOKEN
 * const run = await client.runs.create({ spec_slug: "demo", git_sha: "0".repeat(40),
 *   environment: "dev", phases: [{ name: "hello", kind: "custom" }], input_manifest: {} });
 * ```
 */
export class ControlRoomClient {
  /** Create, read, list, page through and cancel runs. */
  readonly runs: RunsResource;
  /** Claim the next runnable phase of one run, or across runs (one or a batch) with a long-poll. */
  readonly claims: ClaimsResource;
  /** Heartbeat a lease and complete the phase it covers, or several in one request. */
  readonly leases: LeasesResource;
  /** Append, read, tail and batch a run's events. */
  readonly events: EventsResource;
  /** Register, read and store content-addressed artifacts. */
  readonly artifacts: ArtifactsResource;
  /** The server URL this client talks to. */
  readonly baseUrl: string;

  constructor(options: ControlRoomClientOptions = {}) {
    const normalized = normalizeClientOptions(options);
    this.baseUrl = normalized.baseUrl;
    const http = new HttpTransport(normalized);
    const buffers = new Map<string, Set<EventBuffer>>();
    this.runs = new RunsResource(http);
    this.claims = new ClaimsResource(http);
    this.events = new EventsResource(http, buffers);
    this.artifacts = new ArtifactsResource(http);
    // A complete must not overtake the events that describe the attempt.
    this.leases = new LeasesResource(http, async (runId) => {
      await Promise.all([...(buffers.get(runId) ?? [])].map((buffer) => buffer.flush()));
    });
  }
}
