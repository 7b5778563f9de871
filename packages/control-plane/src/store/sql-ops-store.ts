import {
  type AppendEventsResponse,
  type Artifact,
  type ClaimBatchRequest,
  type ClaimRequest,
  type ClaimRunRequest,
  type CompleteRequest,
  type Completion,
  type CompletionClaim,
  type CompletionResult,
  type CreateRunRequestParsed,
  type EventInput,
  type EventList,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type Lease,
  problem,
  type RegisterArtifactRequest,
  type Run,
  type RunList,
  type RunStatus,
} from "@controlroom/contract";
import type {
  AuthClaims,
  ListRunsFilter,
  OpsMetricsSnapshot,
  OpsStore,
  WakeSignal,
} from "../ops-store.js";
import { callerStatement } from "./caller-statement.js";
import {
  errorCodeOfSqlState,
  RETRYABLE_SQLSTATES,
  sqlStateOf,
  toControlPlaneError,
} from "./map-database-error.js";
import { decodeRunCursor, encodeRunCursor } from "./run-cursor.js";

/** Upper bounds (seconds) of the claim-wait histogram's buckets; `count` is the +Inf one. */
export const CLAIM_WAIT_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600,
];

/** How often a statement that hit a deadlock or serialization failure is run again. */
const MAX_STATEMENT_ATTEMPTS = 3;

/** What a driver hands the store: single statements, and how to release its resources. */
export interface SqlOpsStoreBackend {
  /**
   * Runs one statement on its own, so in an implicit transaction of its own, and
   * returns its rows. Drivers may prepare it (it is one of a few fixed texts).
   */
  query<Row>(text: string, params: readonly unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

interface MetricsRow {
  runs_by_status: OpsMetricsSnapshot["runsByStatus"];
  phases_by_status: OpsMetricsSnapshot["phasesByStatus"];
  queue_depth: number;
  lease_expirations_total: number;
  artifacts_total: number;
  claim_wait: OpsMetricsSnapshot["claimWait"];
  source_freshness: {
    tenant_id: string;
    stream: string;
    lag_seconds: number | null;
    measured_at: number;
  }[];
}

/**
 * The one implementation of {@link OpsStore}: every call is one statement, so one
 * transaction, that runs as the caller (role `authenticated` plus `request.jwt.claims`,
 * so RLS applies; see {@link callerStatement}) and calls an `ops.*` SQL function. The
 * drivers only differ in how they run statements and deliver notifications; they feed
 * the latter to {@link wake}.
 */
export class SqlOpsStore implements OpsStore {
  readonly #backend: SqlOpsStoreBackend;
  readonly #listeners = new Set<(signal: WakeSignal) => void>();
  #closed = false;

  constructor(backend: SqlOpsStoreBackend) {
    this.#backend = backend;
  }

  async createRun(
    claims: AuthClaims,
    body: CreateRunRequestParsed,
    idempotencyKey: string | undefined,
  ): Promise<{ run: Run; created: boolean }> {
    const result = await this.#call<{ run: Run; created: boolean }>(
      claims,
      "ops.create_run($1::text::jsonb, $2::text)",
      [JSON.stringify(body), idempotencyKey ?? null],
    );
    if (result.created) this.#wakeIfRunnable(result.run);
    return result;
  }

  async getRun(claims: AuthClaims, runId: string): Promise<Run> {
    return this.#call(claims, "ops.get_run($1::uuid)", [runId]);
  }

  async listRuns(claims: AuthClaims, filter: ListRunsFilter): Promise<RunList> {
    const after = filter.cursor === undefined ? undefined : decodeRunCursor(filter.cursor);
    const page = await this.#call<{
      items: Run[];
      next_after: { created_at: string; run_id: string } | null;
    }>(claims, "ops.list_runs($1::text, $2::text, $3::text, $4::int, $5::timestamptz, $6::uuid)", [
      filter.status ?? null,
      filter.spec_slug ?? null,
      filter.environment ?? null,
      filter.limit,
      after?.createdAt ?? null,
      after?.runId ?? null,
    ]);
    return {
      items: page.items,
      next_cursor:
        page.next_after === null
          ? null
          : encodeRunCursor({
              createdAt: page.next_after.created_at,
              runId: page.next_after.run_id,
            }),
    };
  }

  async claimRun(
    claims: AuthClaims,
    runId: string,
    body: ClaimRunRequest,
  ): Promise<Lease | undefined> {
    return this.#claim(claims, runId, body, null);
  }

  async claim(claims: AuthClaims, body: Omit<ClaimRequest, "wait_ms">): Promise<Lease | undefined> {
    return this.#claim(claims, null, body, body.environments);
  }

  async claimBatch(claims: AuthClaims, body: Omit<ClaimBatchRequest, "wait_ms">): Promise<Lease[]> {
    return this.#call<Lease[]>(
      claims,
      `ops.claim_phases(
         $1::text,
         array(select jsonb_array_elements_text($2::text::jsonb)),
         array(select jsonb_array_elements_text($3::text::jsonb)),
         $4::uuid, $5::int, $6::boolean, $7::int)`,
      claimParams(body),
    );
  }

  async heartbeat(
    claims: AuthClaims,
    runId: string,
    body: HeartbeatRequest,
  ): Promise<HeartbeatResponse> {
    return this.#call(claims, "ops.heartbeat($1::uuid, $2::text, $3::text::jsonb)", [
      runId,
      body.lease_token,
      body.progress === undefined ? null : JSON.stringify(body.progress),
    ]);
  }

  async appendEvents(
    claims: AuthClaims,
    runId: string,
    events: EventInput[],
  ): Promise<AppendEventsResponse> {
    return this.#call(claims, "ops.append_events($1::uuid, $2::text::jsonb)", [
      runId,
      JSON.stringify(events),
    ]);
  }

  async listEvents(
    claims: AuthClaims,
    runId: string,
    afterSeq: number,
    limit: number,
  ): Promise<EventList> {
    return this.#call(claims, "ops.list_events($1::uuid, $2::bigint, $3::int)", [
      runId,
      afterSeq,
      limit,
    ]);
  }

  async complete(claims: AuthClaims, runId: string, body: CompleteRequest): Promise<Run> {
    const run = await this.#call<Run>(
      claims,
      "ops.complete_phase($1::uuid, $2::text, $3::text, $4::text::jsonb, $5::text::jsonb, $6::text::jsonb)",
      [
        runId,
        body.lease_token,
        body.status,
        jsonOrNull(body.output),
        jsonOrNull(body.output_manifest),
        jsonOrNull(body.error),
      ],
    );
    this.#wakeIfRunnable(run);
    return run;
  }

  async completeBatch(claims: AuthClaims, completions: Completion[]): Promise<CompletionResult[]> {
    const rows = await this.#call<CompletionRow[]>(claims, "ops.complete_phases($1::text::jsonb)", [
      JSON.stringify(completions),
    ]);
    this.#wakeIfCompletionsRunnable(rows);
    return rows.map(toCompletionResult);
  }

  async completeAndClaim(
    claims: AuthClaims,
    completions: Completion[],
    claim: CompletionClaim,
  ): Promise<{ results: CompletionResult[]; leases: Lease[] }> {
    const answer = await this.#call<{ results: CompletionRow[]; leases: Lease[] }>(
      claims,
      `ops.complete_and_claim_phases(
         $1::text::jsonb,
         $2::text,
         array(select jsonb_array_elements_text($3::text::jsonb)),
         array(select jsonb_array_elements_text($4::text::jsonb)),
         $5::uuid, $6::int, $7::boolean, $8::int)`,
      [JSON.stringify(completions), ...claimParams(claim)],
    );
    // As after completeBatch: the claim may not have taken every phase the completions
    // made runnable (or may not be able to run them), so the long-polls still hear of it.
    this.#wakeIfCompletionsRunnable(answer.results);
    return { results: answer.results.map(toCompletionResult), leases: answer.leases };
  }

  async cancel(claims: AuthClaims, runId: string, reason: string | undefined): Promise<Run> {
    return this.#call(claims, "ops.cancel_run($1::uuid, $2::text)", [runId, reason ?? null]);
  }

  async registerArtifact(
    claims: AuthClaims,
    body: RegisterArtifactRequest,
  ): Promise<{ artifact: Artifact; created: boolean }> {
    return this.#call(claims, "ops.register_artifact($1::text::jsonb)", [JSON.stringify(body)]);
  }

  async getArtifact(claims: AuthClaims, sha256: string): Promise<Artifact> {
    return this.#call(claims, "ops.get_artifact($1::text)", [sha256]);
  }

  async expireLeases(): Promise<number> {
    return Number(await this.#call<number>(null, "ops.expire_leases()", []));
  }

  async metrics(): Promise<OpsMetricsSnapshot> {
    const row = await this.#call<MetricsRow>(
      null,
      "ops.metrics_snapshot(array(select jsonb_array_elements_text($1::text::jsonb)::float8))",
      [JSON.stringify(CLAIM_WAIT_BUCKETS)],
    );
    return {
      runsByStatus: row.runs_by_status,
      phasesByStatus: row.phases_by_status,
      queueDepth: row.queue_depth,
      leaseExpirationsTotal: row.lease_expirations_total,
      artifactsTotal: row.artifacts_total,
      claimWait: row.claim_wait,
      sourceFreshness: row.source_freshness.map((sample) => ({
        tenantId: sample.tenant_id,
        stream: sample.stream,
        lagSeconds: sample.lag_seconds,
        measuredAtSeconds: sample.measured_at,
      })),
    };
  }

  onWake(listener: (signal: WakeSignal) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Delivers a wake-up to every {@link onWake} listener. Drivers call it for each
   * notification; a throwing listener does not stop the others.
   */
  wake(signal: WakeSignal): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(signal);
      } catch {
        // A listener's failure is its own business; the others still get the signal.
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    await this.#backend.close();
  }

  /**
   * Wakes this process's long-polls at once when `run` has a phase claimable now. The
   * NOTIFY of the same commit still comes (and reaches the other servers), a hop
   * through the database's listener later; waking early only saves that hop, and an
   * extra wake-up costs at most one claim that finds nothing.
   */
  #wakeIfRunnable(run: Run): void {
    if (run.phases.some((phase) => phase.status === "runnable" && phase.next_attempt_at === null)) {
      this.wake({ kind: "runnable" });
    }
  }

  /** Completions that made phases runnable (dependants, retries) wake this process's long-polls. */
  #wakeIfCompletionsRunnable(rows: CompletionRow[]): void {
    if (rows.some((row) => row.outcome === "completed" && row.runnable)) {
      this.wake({ kind: "runnable" });
    }
  }

  async #claim(
    claims: AuthClaims,
    runId: string | null,
    body: ClaimRunRequest,
    environments: readonly string[] | null,
  ): Promise<Lease | undefined> {
    const lease = await this.#call<Lease | null>(
      claims,
      `ops.claim_phase(
         $1::uuid, $2::text,
         array(select jsonb_array_elements_text($3::text::jsonb)),
         case when $4::text::jsonb is null then null
              else array(select jsonb_array_elements_text($4::text::jsonb)) end,
         $5::uuid, $6::int, $7::boolean)`,
      [
        runId,
        body.executor_id,
        JSON.stringify(body.capabilities),
        environments === null ? null : JSON.stringify(environments),
        body.request_id,
        body.lease_seconds ?? null,
        body.start ?? false,
      ],
    );
    return lease ?? undefined;
  }

  /**
   * Runs `select <call> as result` as the caller when `claims` is given (RLS applies) or
   * as the owner when null (reaper, metrics), and returns `result`. Deadlocks and
   * serialization failures are retried: the statement is the whole transaction. JSON
   * goes in as text (`$n::text::jsonb`) because postgres.js would encode a string bound
   * to a jsonb parameter a second time.
   */
  async #call<T>(claims: AuthClaims | null, call: string, params: readonly unknown[]): Promise<T> {
    if (this.#closed) throw new Error("the ops store is closed");
    const { text, params: values } = callerStatement(call, params, claims);
    for (let attempt = 1; ; attempt++) {
      try {
        const rows = await this.#backend.query<{ result: T }>(text, values);
        const row = rows[0];
        if (row === undefined) throw new Error(`no row from: ${call}`);
        return row.result;
      } catch (error) {
        const state = sqlStateOf(error);
        if (
          state !== undefined &&
          RETRYABLE_SQLSTATES.has(state) &&
          attempt < MAX_STATEMENT_ATTEMPTS
        ) {
          continue;
        }
        throw toControlPlaneError(error);
      }
    }
  }
}

/**
 * A batch claim as `ops.claim_phases` takes it, in its order (`ops.complete_and_claim_phases`
 * takes the same after the completions).
 */
function claimParams(body: Omit<ClaimBatchRequest, "wait_ms">): unknown[] {
  return [
    body.executor_id,
    JSON.stringify(body.capabilities),
    JSON.stringify(body.environments),
    body.request_id,
    body.lease_seconds ?? null,
    body.start ?? false,
    body.max_leases,
  ];
}

function jsonOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/** One element of `ops.complete_phases`' answer. */
type CompletionRow =
  | {
      outcome: "completed";
      run_id: string;
      lease_token: string;
      phase: string;
      run_status: RunStatus;
      runnable: boolean;
      events?: AppendEventsResponse;
    }
  | {
      outcome: "rejected";
      run_id: string;
      lease_token: string;
      sqlstate: string;
      message: string;
      events?: AppendEventsResponse;
    };

/** A completion refused in SQL is answered with the problem the single complete throws. */
function toCompletionResult(row: CompletionRow): CompletionResult {
  if (row.outcome === "completed") {
    const { runnable: _runnable, ...result } = row;
    return result;
  }
  const code = errorCodeOfSqlState(row.sqlstate) ?? "internal";
  return {
    outcome: "rejected",
    run_id: row.run_id,
    lease_token: row.lease_token,
    error: problem(code, row.message),
    ...(row.events === undefined ? {} : { events: row.events }),
  };
}
