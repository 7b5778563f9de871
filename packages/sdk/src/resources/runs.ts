import type {
  CancelRunRequest,
  CreateRunRequest,
  ListRunsQuery,
  Run,
  RunList,
} from "@controlroom/contract";
import type { CallOptions } from "../client-options.js";
import type { HttpTransport } from "../internal/http-transport.js";
import { uuidv7 } from "../uuidv7.js";

/**
 * Options of {@link RunsResource.create}.
 *
 * @example
 * ```ts
 * // Derive the key from what makes the request unique, so a restarted job reuses it.
 * const options: CreateRunOptions = { idempotencyKey: `nightly-${date}` };
 * ```
 */
export interface CreateRunOptions extends CallOptions {
  /**
   * Makes the create idempotent: the same key and body return the same run. Minted
   * once per call when not given, so retries of this call never create two runs;
   * pass your own to make retries across process restarts safe too.
   * @default a fresh UUID v7
   */
  idempotencyKey?: string | undefined;
}

/**
 * Runs: create, read, list and cancel.
 *
 * @example
 * ```ts
 * const run = await client.runs.create({ spec_slug: "odoo-finance", git_sha, environment: "dev",
 *   phases: [{ name: "ingest", kind: "ingest" }], input_manifest: {} });
 * for await (const r of client.runs.iterate({ status: "failed" })) console.log(r.run_id);
 * ```
 */
export class RunsResource {
  readonly #http: HttpTransport;
  constructor(http: HttpTransport) {
    this.#http = http;
  }

  /** Creates a run (`POST /ops/runs`), idempotent under its key. */
  async create(body: CreateRunRequest, options: CreateRunOptions = {}): Promise<Run> {
    const key = options.idempotencyKey ?? uuidv7();
    return this.#http.send({
      endpoint: "createRun",
      body,
      headers: { "idempotency-key": key },
      signal: options.signal,
    });
  }

  /** A run with its phases (`GET /ops/runs/{run_id}`). */
  async get(runId: string, options: CallOptions = {}): Promise<Run> {
    return this.#http.send({
      endpoint: "getRun",
      params: { run_id: runId },
      signal: options.signal,
    });
  }

  /** One page of runs, newest first. Pass `next_cursor` as `cursor` for the next. */
  async list(query: ListRunsQuery = {}, options: CallOptions = {}): Promise<RunList> {
    return this.#http.send({ endpoint: "listRuns", query: { ...query }, signal: options.signal });
  }

  /** Every run matching `query`, newest first, fetching pages as the loop goes. */
  async *iterate(
    query: Omit<ListRunsQuery, "cursor"> = {},
    options: CallOptions = {},
  ): AsyncGenerator<Run> {
    let cursor: string | undefined;
    do {
      const page = await this.list({ ...query, ...(cursor ? { cursor } : {}) }, options);
      yield* page.items;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  /** Cancels a run: pending phases stop at once, running ones at their next heartbeat. */
  async cancel(
    runId: string,
    body: CancelRunRequest = {},
    options: CallOptions = {},
  ): Promise<Run> {
    return this.#http.send({
      endpoint: "cancelRun",
      params: { run_id: runId },
      body,
      signal: options.signal,
    });
  }
}
