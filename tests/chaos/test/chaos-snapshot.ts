import type postgres from "postgres";

/** A row of ops.runs. */
export interface RunRow {
  run_id: string;
  status: string;
  output_manifest: { phases?: Record<string, unknown> } | null;
}

/** A row of ops.phases. */
export interface PhaseRow {
  run_id: string;
  name: string;
  status: string;
  attempt: number;
  depends_on: string[];
  params: Record<string, unknown>;
  lease_token: string | null;
  output: unknown;
  output_manifest: Record<string, { sha256?: string }> | null;
}

/** A row of ops.phase_attempts; times in microseconds since the epoch (exact). */
export interface AttemptRow {
  run_id: string;
  phase: string;
  attempt: number;
  lease_token: string;
  executor_id: string;
  outcome: string | null;
  claimed_us: bigint;
  started_us: bigint | null;
  finished_us: bigint | null;
}

/** A row of ops.run_events. */
export interface EventRow {
  run_id: string;
  seq: number;
  event_id: string;
  phase: string | null;
  type: string;
  source: "server" | "client";
  payload: Record<string, unknown>;
}

/** A row of ops.run_artifacts joined with its ops.artifacts row. */
export interface LinkRow {
  run_id: string;
  phase: string | null;
  name: string;
  sha256: string;
  size_bytes: number | null;
  uri: string | null;
}

/** Everything the checks read from the database, read once after the chaos. */
export interface ChaosSnapshot {
  runs: RunRow[];
  /** By run id, in phase order. */
  phases: Map<string, PhaseRow[]>;
  /** By `run_id/phase`, in attempt order. */
  attempts: Map<string, AttemptRow[]>;
  /** By run id, in seq order. */
  events: Map<string, EventRow[]>;
  links: LinkRow[];
}

/** The key of a phase in {@link ChaosSnapshot.attempts}. */
export const phaseKey = (runId: string, phase: string) => `${runId}/${phase}`;

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

const micros = (column: string) => `(extract(epoch from ${column}) * 1000000)::bigint::text`;
const toBigInt = (value: string | null) => (value === null ? null : BigInt(value));

/** Reads the control plane's tables as the superuser (all tenants, no RLS). */
export async function loadSnapshot(sql: postgres.Sql): Promise<ChaosSnapshot> {
  const runs = await sql.unsafe<RunRow[]>(
    "select r.run_id::text, r.status, r.output_manifest from ops.runs r order by r.created_at, r.run_id",
  );
  const phases = await sql.unsafe<PhaseRow[]>(
    `select p.run_id::text, p.name, p.status, p.attempt, p.depends_on, p.params, p.lease_token,
            p.output, p.output_manifest
       from ops.phases p order by p.run_id, p.ordinal`,
  );
  const attempts = await sql.unsafe<
    (Omit<AttemptRow, "claimed_us" | "started_us" | "finished_us"> & {
      claimed_us: string;
      started_us: string | null;
      finished_us: string | null;
    })[]
  >(
    `select a.run_id::text, a.phase, a.attempt, a.lease_token, a.executor_id, a.outcome,
            ${micros("a.claimed_at")} as claimed_us, ${micros("a.started_at")} as started_us,
            ${micros("a.finished_at")} as finished_us
       from ops.phase_attempts a order by a.run_id, a.phase, a.attempt`,
  );
  const events = await sql.unsafe<(Omit<EventRow, "seq"> & { seq: string })[]>(
    `select e.run_id::text, e.seq::text, e.event_id::text, e.phase, e.type, e.source, e.payload
       from ops.run_events e order by e.run_id, e.seq`,
  );
  const links = await sql.unsafe<LinkRow[]>(
    `select l.run_id::text, l.phase, l.name, l.sha256, a.size_bytes::int as size_bytes, a.uri
       from ops.run_artifacts l
       left join ops.artifacts a on a.tenant_id = l.tenant_id and a.sha256 = l.sha256
      order by l.run_id, l.phase, l.name`,
  );
  return {
    runs: [...runs],
    phases: groupBy([...phases], (p) => p.run_id),
    attempts: groupBy(
      attempts.map((a) => ({
        ...a,
        claimed_us: BigInt(a.claimed_us),
        started_us: toBigInt(a.started_us),
        finished_us: toBigInt(a.finished_us),
      })),
      (a) => phaseKey(a.run_id, a.phase),
    ),
    events: groupBy(
      events.map((e) => ({ ...e, seq: Number(e.seq) })),
      (e) => e.run_id,
    ),
    links: [...links],
  };
}
