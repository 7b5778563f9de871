import type {
  AppendEventsResponse,
  Artifact,
  ClaimBatchRequest,
  ClaimRequest,
  ClaimRunRequest,
  CompleteRequest,
  Completion,
  CompletionClaim,
  CompletionResult,
  CreateRunRequestParsed,
  Environment,
  EventInput,
  EventList,
  HeartbeatRequest,
  HeartbeatResponse,
  Lease,
  PhaseStatus,
  RegisterArtifactRequest,
  Role,
  Run,
  RunList,
  RunStatus,
} from "@controlroom/contract";

/** Who is calling: the verified JWT claims, exposed to SQL as `request.jwt.claims`. */
export interface AuthClaims {
  sub: string;
  tenant_id: string;
  role: Role;
}

/** Filters and paging of {@link OpsStore.listRuns}, already validated. */
export interface ListRunsFilter {
  status?: RunStatus | undefined;
  spec_slug?: string | undefined;
  environment?: Environment | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Counts the `/metrics` endpoint exposes; read across tenants by the server itself. */
export interface OpsMetricsSnapshot {
  runsByStatus: Partial<Record<RunStatus, number>>;
  phasesByStatus: Partial<Record<PhaseStatus, number>>;
  /** Phases runnable now (dependencies met, `next_attempt_at` passed). */
  queueDepth: number;
  /** Leases expired by the reaper since the database was created. */
  leaseExpirationsTotal: number;
  artifactsTotal: number;
  /**
   * Enqueue-to-claim wait of every claim (from when the phase became runnable to its
   * claim), as a cumulative histogram in seconds, read from the database so that it
   * is the same whichever server answers.
   */
  claimWait: { buckets: { le: number; count: number }[]; sum: number; count: number };
  /**
   * The newest `SOURCE_FRESHNESS` report of every stream of every tenant (by event
   * time), as ingest phases append them: `{ stream, newest, lag_ms, measured_at }`.
   */
  sourceFreshness: SourceFreshnessSample[];
}

/** The newest freshness report of one source stream, as {@link OpsMetricsSnapshot} holds it. */
export interface SourceFreshnessSample {
  tenantId: string;
  stream: string;
  /** How far the stream's newest row was behind the clock; null when it reported none (empty). */
  lagSeconds: number | null;
  /** When the lag was measured, in Unix seconds (the event's time when it gave none). */
  measuredAtSeconds: number;
}

/** What woke a long-poll: new runnable work, or new events on a run. */
export type WakeSignal = { kind: "runnable" } | { kind: "events"; runId: string };

/**
 * The control plane's operations, each one transaction in the database that runs as
 * the caller (RLS applies) and writes the events its change implies. The HTTP
 * server validates input, authenticates, calls these, and maps thrown
 * {@link import("./control-plane-error.js").ControlPlaneError}s to problem documents.
 *
 * Implemented once over SQL functions in the `ops` schema; the two drivers (PGlite,
 * Postgres) differ only in how they open transactions and deliver notifications.
 */
export interface OpsStore {
  /** Creates a run. `created` is false for a repeat of the same key and body. */
  createRun(
    claims: AuthClaims,
    body: CreateRunRequestParsed,
    idempotencyKey: string | undefined,
  ): Promise<{ run: Run; created: boolean }>;
  getRun(claims: AuthClaims, runId: string): Promise<Run>;
  listRuns(claims: AuthClaims, filter: ListRunsFilter): Promise<RunList>;
  /** Claims the next runnable phase of one run; undefined when none. */
  claimRun(claims: AuthClaims, runId: string, body: ClaimRunRequest): Promise<Lease | undefined>;
  /** Claims the oldest runnable phase across visible runs; never waits. */
  claim(claims: AuthClaims, body: Omit<ClaimRequest, "wait_ms">): Promise<Lease | undefined>;
  /**
   * Claims up to `max_leases` of the oldest runnable phases across visible runs, each
   * as {@link claim} would (same events, same lease); never waits. Empty when none. A
   * repeated `request_id` returns the same leases.
   */
  claimBatch(claims: AuthClaims, body: Omit<ClaimBatchRequest, "wait_ms">): Promise<Lease[]>;
  heartbeat(claims: AuthClaims, runId: string, body: HeartbeatRequest): Promise<HeartbeatResponse>;
  appendEvents(
    claims: AuthClaims,
    runId: string,
    events: EventInput[],
  ): Promise<AppendEventsResponse>;
  listEvents(
    claims: AuthClaims,
    runId: string,
    afterSeq: number,
    limit: number,
  ): Promise<EventList>;
  complete(claims: AuthClaims, runId: string, body: CompleteRequest): Promise<Run>;
  /**
   * Applies several completes in one transaction, each as {@link complete} would; one
   * that {@link complete} would refuse is `rejected` in its place (with the problem it
   * would have thrown) and the others still apply. One result per completion, in order.
   */
  completeBatch(claims: AuthClaims, completions: Completion[]): Promise<CompletionResult[]>;
  /**
   * {@link completeBatch}, then {@link claimBatch} with `claim`, in one transaction: a
   * phase the completions made runnable can be among the leases. A repeat (same
   * completions, same `request_id`) answers the same results and the same leases.
   */
  completeAndClaim(
    claims: AuthClaims,
    completions: Completion[],
    claim: CompletionClaim,
  ): Promise<{ results: CompletionResult[]; leases: Lease[] }>;
  cancel(claims: AuthClaims, runId: string, reason: string | undefined): Promise<Run>;
  registerArtifact(
    claims: AuthClaims,
    body: RegisterArtifactRequest,
  ): Promise<{ artifact: Artifact; created: boolean }>;
  getArtifact(claims: AuthClaims, sha256: string): Promise<Artifact>;
  /** Expires overdue leases across tenants; safe when several servers call it at once. */
  expireLeases(): Promise<number>;
  metrics(): Promise<OpsMetricsSnapshot>;
  /** Subscribes to wake-ups for long-polls; returns the unsubscribe function. */
  onWake(listener: (signal: WakeSignal) => void): () => void;
  close(): Promise<void>;
}
