-- Control Room ops schema: roles, tables and indexes.
-- Plain SQL that runs unchanged on Postgres 15+, PGlite and Supabase.

-- Supabase ships these roles; create them elsewhere so the same policies apply.
-- NOLOGIN: servers connect as the owner and switch with SET LOCAL ROLE per request.
do $$
declare
  v_role text;
begin
  foreach v_role in array array['anon', 'authenticated', 'service_role'] loop
    if not exists (select 1 from pg_roles where rolname = v_role) then
      begin
        execute format('create role %I nologin noinherit', v_role);
      exception when duplicate_object or unique_violation then
        -- Roles are cluster-wide: a migration of another database created it just now.
        null;
      end;
    end if;
  end loop;
end
$$;

-- A non-superuser owner must be a member of `authenticated` to SET ROLE to it.
do $$
begin
  if not (select rolsuper from pg_roles where rolname = current_user) then
    execute format('grant authenticated to %I', current_user);
  end if;
exception when others then
  -- Supabase's postgres role is already a member; a failed grant is not fatal.
  null;
end
$$;

create schema if not exists ops;

-- UUID v7 (time-ordered): core Postgres 15 has none, so build it from a v4 UUID by
-- overwriting the first 48 bits with Unix milliseconds and setting the version to 7.
create or replace function ops.uuid_v7() returns uuid
language sql volatile as $$
  select encode(
    set_bit(
      set_bit(
        overlay(uuid_send(gen_random_uuid())
          placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
          from 1 for 6),
        52, 1),
      53, 1),
    'hex')::uuid
$$;

-- RFC 3339 in UTC with milliseconds and a Z: the only timestamp format the API returns.
create or replace function ops.ts(t timestamptz) returns text
language sql stable as $$
  select to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

create table ops.runs (
  run_id uuid primary key default ops.uuid_v7(),
  tenant_id text not null,
  spec_slug text not null,
  git_sha text not null,
  environment text not null check (environment in ('dev', 'stage', 'prod')),
  status text not null default 'queued'
    check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  input_manifest jsonb not null default '{}',
  output_manifest jsonb,
  labels jsonb not null default '{}',
  cancel_requested boolean not null default false,
  cancel_reason text,
  -- Last `seq` handed out; bumped under the row lock so seqs are gap-free per run.
  event_seq bigint not null default 0,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz
);
create index runs_tenant_newest on ops.runs (tenant_id, created_at desc, run_id desc);

create table ops.phases (
  tenant_id text not null,
  run_id uuid not null references ops.runs (run_id) on delete cascade,
  name text not null,
  ordinal int not null,
  kind text not null
    check (kind in ('ingest', 'validate', 'transform', 'publish', 'profile', 'custom')),
  depends_on text[] not null default '{}',
  timeout_seconds int not null default 3600 check (timeout_seconds between 1 and 86400),
  max_attempts int not null default 3 check (max_attempts between 1 and 100),
  initial_interval_ms bigint not null default 1000,
  backoff_coefficient double precision not null default 2,
  max_interval_ms bigint not null default 60000,
  requires text[] not null default '{}',
  params jsonb not null default '{}',
  status text not null default 'pending'
    check (status in ('pending', 'runnable', 'claimed', 'running', 'succeeded', 'failed',
                      'cancelled', 'skipped')),
  attempt int not null default 0,
  claimed_by text,
  -- The live lease (null when none): fencing compares against it in the same UPDATE.
  lease_token text unique,
  lease_seconds int,
  claimed_at timestamptz,
  lease_expires_at timestamptz,
  -- When the phase became (or, after a backoff, becomes) claimable.
  runnable_since timestamptz,
  next_attempt_at timestamptz,
  last_error jsonb,
  output jsonb,
  output_manifest jsonb,
  started_at timestamptz,
  finished_at timestamptz,
  primary key (run_id, name),
  unique (run_id, ordinal)
);
-- Claims scan only runnable phases, oldest first.
create index phases_runnable on ops.phases (tenant_id, runnable_since)
  where status = 'runnable';
-- The reaper scans only live leases.
create index phases_live_leases on ops.phases (lease_expires_at)
  where status in ('claimed', 'running');

-- One row per claim: fencing history, idempotent claims, audit and claim-wait metrics.
create table ops.phase_attempts (
  lease_token text primary key,
  tenant_id text not null,
  run_id uuid not null,
  phase text not null,
  attempt int not null,
  executor_id text not null,
  request_id uuid not null,
  lease_seconds int not null,
  runnable_since timestamptz not null,
  claimed_at timestamptz not null,
  started_at timestamptz,
  heartbeat_at timestamptz,
  expires_at timestamptz not null,
  progress jsonb,
  finished_at timestamptz,
  outcome text check (outcome in ('succeeded', 'failed', 'expired', 'cancelled')),
  error jsonb,
  unique (tenant_id, request_id),
  unique (run_id, phase, attempt),
  foreign key (run_id, phase) references ops.phases (run_id, name) on delete cascade
);
create index phase_attempts_live on ops.phase_attempts (expires_at) where finished_at is null;
create index phase_attempts_outcome on ops.phase_attempts (outcome) where outcome is not null;

create table ops.run_events (
  tenant_id text not null,
  run_id uuid not null references ops.runs (run_id) on delete cascade,
  seq bigint not null,
  event_id uuid not null,
  phase text,
  type text not null,
  ts timestamptz not null,
  level text not null default 'info' check (level in ('debug', 'info', 'warn', 'error')),
  message text not null default '',
  payload jsonb not null default '{}',
  -- 'server' for events the state machine writes, 'client' for appended ones.
  source text not null default 'client' check (source in ('server', 'client')),
  primary key (run_id, seq),
  unique (run_id, event_id)
);

-- Content-addressed and immutable; per tenant, so tenants never learn of each other's bytes.
create table ops.artifacts (
  tenant_id text not null,
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  size_bytes bigint not null check (size_bytes >= 0),
  media_type text not null,
  uri text not null,
  metadata jsonb not null default '{}',
  created_at timestamptz not null default now(),
  primary key (tenant_id, sha256)
);

create table ops.run_artifacts (
  tenant_id text not null,
  run_id uuid not null references ops.runs (run_id) on delete cascade,
  phase text,
  name text not null,
  sha256 text not null,
  created_at timestamptz not null default now(),
  foreign key (tenant_id, sha256) references ops.artifacts (tenant_id, sha256)
);
-- A (run, phase, name) names one artifact; NULL phase means a run-level link.
create unique index run_artifacts_link on ops.run_artifacts (run_id, coalesce(phase, ''), name);
create index run_artifacts_sha on ops.run_artifacts (tenant_id, sha256);

-- Named connections to data systems; config never holds secrets, only secret names.
create table ops.connections (
  tenant_id text not null,
  name text not null,
  kind text not null,
  config jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, name)
);

-- Where a secret lives (env var, vault path, Supabase vault id), never its value.
create table ops.secrets_refs (
  tenant_id text not null,
  name text not null,
  provider text not null,
  reference text not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, name)
);

create table ops.idempotency_keys (
  tenant_id text not null,
  key text not null,
  request_hash text not null,
  run_id uuid not null references ops.runs (run_id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (tenant_id, key)
);
