-- The state machine's entry points. Each runs in the caller's transaction as the caller
-- (SECURITY INVOKER, so RLS applies), checks the caller's role first and writes the events
-- its change implies. Errors use SQLSTATEs the drivers map to contract error codes:
--   OP400 validation_failed, OP403 forbidden, OP404 not_found, OPL09 lease_lost,
--   OPI09 idempotency_conflict, OPC09 conflict.

-- Creates a run from a parsed CreateRunRequest. Idempotent under p_idempotency_key:
-- the same key and body return the same run with created = false.
create or replace function ops.create_run(p_body jsonb, p_idempotency_key text default null)
returns jsonb
language plpgsql as $$
declare
  v_tenant text := ops.require_role('operator', 'admin');
  v_hash text := encode(sha256(convert_to(p_body::text, 'UTF8')), 'hex');
  v_existing ops.idempotency_keys;
  v_run_id uuid;
  v_problem text;
begin
  if p_idempotency_key is not null then
    -- Serialises concurrent creates with one key, so only one of them inserts.
    perform pg_advisory_xact_lock(hashtextextended('idem:' || v_tenant || ':' || p_idempotency_key, 0));
    select * into v_existing from ops.idempotency_keys
     where tenant_id = v_tenant and key = p_idempotency_key;
    if found then
      if v_existing.request_hash <> v_hash then
        raise exception 'Idempotency-Key % was already used with a different body', p_idempotency_key
          using errcode = 'OPI09';
      end if;
      return jsonb_build_object('run', ops.run_json(v_existing.run_id), 'created', false);
    end if;
  end if;

  if jsonb_typeof(p_body -> 'phases') is distinct from 'array'
     or jsonb_array_length(p_body -> 'phases') = 0 then
    raise exception 'phases must be a non-empty array' using errcode = 'OP400';
  end if;
  select format('duplicate phase name %s', e ->> 'name') into v_problem
    from jsonb_array_elements(p_body -> 'phases') e
   group by e ->> 'name' having count(*) > 1 limit 1;
  if v_problem is not null then
    raise exception '%', v_problem using errcode = 'OP400';
  end if;

  insert into ops.runs (tenant_id, spec_slug, git_sha, environment, input_manifest, labels)
  values (v_tenant, p_body ->> 'spec_slug', p_body ->> 'git_sha', p_body ->> 'environment',
          coalesce(p_body -> 'input_manifest', '{}'::jsonb),
          coalesce(p_body -> 'labels', '{}'::jsonb))
  returning run_id into v_run_id;

  -- depends_on resolves to an explicit list: absent means "the previous phase".
  insert into ops.phases (tenant_id, run_id, name, ordinal, kind, depends_on, timeout_seconds,
                          max_attempts, initial_interval_ms, backoff_coefficient,
                          max_interval_ms, requires, params)
  select v_tenant, v_run_id, s.e ->> 'name', s.ord::int, s.e ->> 'kind',
         case
           when jsonb_typeof(s.e -> 'depends_on') = 'array'
             then array(select jsonb_array_elements_text(s.e -> 'depends_on'))
           when s.previous is null then '{}'::text[]
           else array[s.previous]
         end,
         coalesce((s.e ->> 'timeout_seconds')::int, 3600),
         coalesce((s.e -> 'retry' ->> 'max_attempts')::int, 3),
         coalesce((s.e -> 'retry' ->> 'initial_interval_ms')::bigint, 1000),
         coalesce((s.e -> 'retry' ->> 'backoff_coefficient')::double precision, 2),
         coalesce((s.e -> 'retry' ->> 'max_interval_ms')::bigint, 60000),
         case when jsonb_typeof(s.e -> 'requires') = 'array'
              then array(select jsonb_array_elements_text(s.e -> 'requires'))
              else '{}'::text[] end,
         coalesce(s.e -> 'params', '{}'::jsonb)
    from (select e, ord, lag(e ->> 'name') over (order by ord) as previous
            from jsonb_array_elements(p_body -> 'phases') with ordinality as t (e, ord)) s;

  select format('unknown phase %s in depends_on of %s', d.name, p.name) into v_problem
    from ops.phases p, unnest(p.depends_on) as d (name)
   where p.run_id = v_run_id
     and (d.name = p.name
          or not exists (select 1 from ops.phases q where q.run_id = v_run_id and q.name = d.name))
   limit 1;
  if v_problem is not null then
    raise exception '%', v_problem using errcode = 'OP400';
  end if;

  update ops.phases set status = 'runnable', runnable_since = now()
   where run_id = v_run_id and cardinality(depends_on) = 0;

  perform ops._emit(v_run_id, null, 'RUN_CREATED', 'info', 'run created',
                    jsonb_build_object(
                      'spec_slug', p_body ->> 'spec_slug',
                      'git_sha', p_body ->> 'git_sha',
                      'environment', p_body ->> 'environment',
                      'phases', (select jsonb_agg(name order by ordinal)
                                   from ops.phases where run_id = v_run_id)));
  if p_idempotency_key is not null then
    insert into ops.idempotency_keys (tenant_id, key, request_hash, run_id)
    values (v_tenant, p_idempotency_key, v_hash, v_run_id);
  end if;
  perform pg_notify('controlroom_ops_runnable', '');
  return jsonb_build_object('run', ops.run_json(v_run_id), 'created', true);
end
$$;

-- Claims the oldest runnable phase the executor can run: of one run when p_run_id is
-- given, else across the caller's runs in p_environments. Returns the Lease, or null.
-- A repeated p_request_id returns the lease it got the first time, never a second one.
create or replace function ops.claim_phase(
  p_run_id uuid,
  p_executor_id text,
  p_capabilities text[],
  p_environments text[],
  p_request_id uuid,
  p_lease_seconds int default null
) returns jsonb
language plpgsql as $$
declare
  v_tenant text := ops.require_role('executor', 'admin');
  v_token text;
  v_phase ops.phases;
  v_run ops.runs;
  -- Very short leases would expire between heartbeats: raise them to 5 s, cap at 1 h.
  v_lease_seconds int := least(greatest(coalesce(p_lease_seconds, 60), 5), 3600);
  v_expires timestamptz;
begin
  perform pg_advisory_xact_lock(hashtextextended('claim:' || v_tenant || ':' || p_request_id::text, 0));
  select lease_token into v_token from ops.phase_attempts
   where tenant_id = v_tenant and request_id = p_request_id;
  if found then
    return ops.lease_json(v_token);
  end if;

  if p_run_id is not null and not exists (select 1 from ops.runs where run_id = p_run_id) then
    raise exception 'run % not found', p_run_id using errcode = 'OP404';
  end if;

  -- SKIP LOCKED: concurrent claimers pass over a phase another transaction is taking,
  -- and re-check the WHERE clause on rows that changed, so one phase gets one lease.
  select p.* into v_phase
    from ops.phases p
    join ops.runs r on r.run_id = p.run_id
   where p.tenant_id = v_tenant
     and p.status = 'runnable'
     and p.runnable_since <= now()
     and (p_run_id is null or p.run_id = p_run_id)
     and p.requires <@ coalesce(p_capabilities, '{}'::text[])
     and (p_environments is null or r.environment = any (p_environments))
     and r.status in ('queued', 'running')
     and not r.cancel_requested
   order by p.runnable_since, p.run_id, p.ordinal
   limit 1
   for update of p skip locked;
  if not found then
    return null;
  end if;

  v_token := replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', '');
  -- The attempt ends at its timeout even if heartbeats keep coming (start-to-close).
  v_expires := least(now() + make_interval(secs => v_lease_seconds),
                     now() + make_interval(secs => v_phase.timeout_seconds));
  update ops.phases
     set status = 'claimed', attempt = attempt + 1, claimed_by = p_executor_id,
         lease_token = v_token, lease_seconds = v_lease_seconds, claimed_at = now(),
         lease_expires_at = v_expires, next_attempt_at = null,
         started_at = coalesce(started_at, now())
   where run_id = v_phase.run_id and name = v_phase.name;
  insert into ops.phase_attempts (lease_token, tenant_id, run_id, phase, attempt, executor_id,
                                  request_id, lease_seconds, runnable_since, claimed_at,
                                  expires_at)
  values (v_token, v_tenant, v_phase.run_id, v_phase.name, v_phase.attempt + 1, p_executor_id,
          p_request_id, v_lease_seconds, v_phase.runnable_since, now(), v_expires);

  select * into v_run from ops.runs where run_id = v_phase.run_id for update;
  if v_run.status = 'queued' then
    update ops.runs set status = 'running', started_at = now() where run_id = v_run.run_id;
    perform ops._emit(v_run.run_id, null, 'RUN_STARTED', 'info', 'run started', '{}'::jsonb);
  end if;
  perform ops._emit(v_run.run_id, v_phase.name, 'PHASE_CLAIMED', 'info',
                    format('attempt %s claimed by %s', v_phase.attempt + 1, p_executor_id),
                    jsonb_build_object('attempt', v_phase.attempt + 1,
                                       'executor_id', p_executor_id,
                                       'expires_at', ops.ts(v_expires),
                                       'wait_ms', round(extract(epoch from now() - v_phase.runnable_since) * 1000)));
  return ops.lease_json(v_token);
end
$$;

-- Extends a live lease. The token is checked in the UPDATE that extends it; a stale or
-- expired token is OPL09 (lease_lost). The first heartbeat moves claimed → running.
create or replace function ops.heartbeat(p_run_id uuid, p_lease_token text,
                                         p_progress jsonb default null)
returns jsonb
language plpgsql as $$
declare
  v_tenant text := ops.require_role('executor', 'admin');
  v_phase ops.phases;
  v_first boolean;
  v_cancel boolean;
begin
  if not exists (select 1 from ops.runs where run_id = p_run_id) then
    raise exception 'run % not found', p_run_id using errcode = 'OP404';
  end if;
  update ops.phases p
     set status = 'running',
         lease_expires_at = least(now() + make_interval(secs => p.lease_seconds),
                                  p.claimed_at + make_interval(secs => p.timeout_seconds))
   where p.run_id = p_run_id
     and p.lease_token = p_lease_token
     and p.status in ('claimed', 'running')
     and p.lease_expires_at > now()
  returning p.* into v_phase;
  if not found then
    raise exception 'lease is stale or expired' using errcode = 'OPL09';
  end if;
  update ops.phase_attempts
     set heartbeat_at = now(), started_at = coalesce(started_at, now()),
         expires_at = v_phase.lease_expires_at, progress = coalesce(p_progress, progress)
   where lease_token = p_lease_token
  returning started_at = now() into v_first;
  if v_first then
    perform ops._emit(p_run_id, v_phase.name, 'PHASE_STARTED', 'info',
                      format('attempt %s started', v_phase.attempt),
                      jsonb_build_object('attempt', v_phase.attempt,
                                         'executor_id', v_phase.claimed_by));
  end if;
  select cancel_requested into v_cancel from ops.runs where run_id = p_run_id;
  return jsonb_build_object('expires_at', ops.ts(v_phase.lease_expires_at),
                            'cancel_requested', v_cancel);
end
$$;

-- Appends executor events. A repeated event_id (stored, or earlier in the same batch) is
-- counted as a duplicate and not stored; seqs stay gap-free. Never changes phase state.
create or replace function ops.append_events(p_run_id uuid, p_events jsonb) returns jsonb
language plpgsql as $$
declare
  v_tenant text := ops.require_role('executor', 'admin');
  v_base bigint;
  v_total int := coalesce(jsonb_array_length(p_events), 0);
  v_count int;
begin
  -- The run row lock orders concurrent appends, so seq and de-duplication are exact.
  select event_seq into v_base from ops.runs where run_id = p_run_id for update;
  if not found then
    raise exception 'run % not found', p_run_id using errcode = 'OP404';
  end if;
  with input as (
    select t.e, t.ord, (t.e ->> 'event_id')::uuid as event_id
      from jsonb_array_elements(p_events) with ordinality as t (e, ord)
  ), firsts as (
    select distinct on (event_id) * from input order by event_id, ord
  ), fresh as (
    select f.*, row_number() over (order by f.ord) as rn
      from firsts f
     where not exists (select 1 from ops.run_events x
                        where x.run_id = p_run_id and x.event_id = f.event_id)
  ), inserted as (
    insert into ops.run_events (tenant_id, run_id, seq, event_id, phase, type, ts, level,
                                message, payload, source)
    select v_tenant, p_run_id, v_base + f.rn, f.event_id, f.e ->> 'phase', f.e ->> 'type',
           coalesce((f.e ->> 'ts')::timestamptz, now()), coalesce(f.e ->> 'level', 'info'),
           coalesce(f.e ->> 'message', ''), coalesce(f.e -> 'payload', '{}'::jsonb), 'client'
      from fresh f
    returning 1
  )
  select count(*) into v_count from inserted;
  if v_count > 0 then
    update ops.runs set event_seq = event_seq + v_count where run_id = p_run_id;
    perform pg_notify('controlroom_ops_events', p_run_id::text);
  end if;
  return jsonb_build_object('accepted', v_count, 'duplicates', v_total - v_count);
end
$$;

-- Registers a content-addressed artifact (created = false when the sha was known) and
-- optionally links it to a run, writing ARTIFACT_REGISTERED for a new link.
create or replace function ops.register_artifact(p_body jsonb) returns jsonb
language plpgsql as $$
declare
  v_tenant text := ops.require_role('executor', 'admin');
  v_sha text := p_body ->> 'sha256';
  v_size bigint := (p_body ->> 'size_bytes')::bigint;
  v_known ops.artifacts;
  v_created boolean := false;
  v_link jsonb := p_body -> 'link';
  v_run_id uuid;
  v_phase text;
  v_name text;
  v_linked_sha text;
begin
  insert into ops.artifacts (tenant_id, sha256, size_bytes, media_type, uri, metadata)
  values (v_tenant, v_sha, v_size, p_body ->> 'media_type', p_body ->> 'uri',
          coalesce(p_body -> 'metadata', '{}'::jsonb))
  on conflict (tenant_id, sha256) do nothing;
  v_created := found;
  if not v_created then
    select * into v_known from ops.artifacts where tenant_id = v_tenant and sha256 = v_sha;
    if v_known.size_bytes <> v_size then
      raise exception 'artifact % is already registered with size_bytes %', v_sha,
        v_known.size_bytes using errcode = 'OPC09';
    end if;
  end if;

  if jsonb_typeof(v_link) = 'object' then
    v_run_id := (v_link ->> 'run_id')::uuid;
    v_phase := v_link ->> 'phase';
    v_name := v_link ->> 'name';
    -- Locks the run so two registrations of one link cannot both insert it.
    perform 1 from ops.runs where run_id = v_run_id for update;
    if not found then
      raise exception 'run % not found', v_run_id using errcode = 'OP404';
    end if;
    select sha256 into v_linked_sha from ops.run_artifacts
     where run_id = v_run_id and coalesce(phase, '') = coalesce(v_phase, '') and name = v_name;
    if found then
      if v_linked_sha <> v_sha then
        raise exception 'link % of run % already names artifact %', v_name, v_run_id,
          v_linked_sha using errcode = 'OPC09';
      end if;
    else
      insert into ops.run_artifacts (tenant_id, run_id, phase, name, sha256)
      values (v_tenant, v_run_id, v_phase, v_name, v_sha);
      perform ops._emit(v_run_id, v_phase, 'ARTIFACT_REGISTERED', 'info',
                        format('artifact %s registered as %s', v_sha, v_name),
                        jsonb_build_object('sha256', v_sha, 'name', v_name,
                                           'size_bytes', v_size,
                                           'media_type', p_body ->> 'media_type',
                                           'uri', p_body ->> 'uri'));
    end if;
  end if;
  return jsonb_build_object('artifact', ops.artifact_json(v_tenant, v_sha), 'created', v_created);
end
$$;

-- Completes the leased attempt. Fenced by the token; a repeat of an accepted complete
-- returns the run unchanged; a stale token is OPL09 (lease_lost).
create or replace function ops.complete_phase(
  p_run_id uuid,
  p_lease_token text,
  p_status text,
  p_output jsonb default null,
  p_output_manifest jsonb default null,
  p_error jsonb default null
) returns jsonb
language plpgsql as $$
declare
  v_tenant text := ops.require_role('executor', 'admin');
  v_phase ops.phases;
  v_outcome text;
  v_error jsonb;
begin
  if p_status not in ('succeeded', 'failed') then
    raise exception 'status must be succeeded or failed' using errcode = 'OP400';
  end if;
  if not exists (select 1 from ops.runs where run_id = p_run_id) then
    raise exception 'run % not found', p_run_id using errcode = 'OP404';
  end if;
  -- The row lock plus the token in the WHERE clause: a concurrent complete waits, then
  -- re-reads the row, finds the token gone and takes the repeat path below.
  select * into v_phase from ops.phases
   where run_id = p_run_id and lease_token = p_lease_token
     and status in ('claimed', 'running') and lease_expires_at > now()
   for update;
  if not found then
    select outcome into v_outcome from ops.phase_attempts
     where lease_token = p_lease_token and run_id = p_run_id;
    if v_outcome in ('succeeded', 'failed') then
      return ops.run_json(p_run_id);
    end if;
    raise exception 'lease is stale or expired' using errcode = 'OPL09';
  end if;

  if p_status = 'succeeded' then
    update ops.phase_attempts set finished_at = now(), outcome = 'succeeded'
     where lease_token = p_lease_token;
    update ops.phases
       set status = 'succeeded', output = p_output, output_manifest = p_output_manifest,
           lease_token = null, lease_expires_at = null, finished_at = now()
     where run_id = p_run_id and name = v_phase.name;
    perform ops._emit(p_run_id, v_phase.name, 'PHASE_SUCCEEDED', 'info',
                      format('attempt %s succeeded', v_phase.attempt),
                      jsonb_strip_nulls(jsonb_build_object(
                        'attempt', v_phase.attempt,
                        'executor_id', v_phase.claimed_by,
                        'output_manifest', p_output_manifest)));
    perform ops._promote_dependants(p_run_id);
  else
    v_error := coalesce(p_error, jsonb_build_object('message', 'phase failed'));
    perform ops._end_failed_attempt(p_run_id, v_phase.name, 'failed', v_error,
                                    coalesce((v_error ->> 'retryable')::boolean, true));
  end if;
  perform ops._finalize_run(p_run_id);
  return ops.run_json(p_run_id);
end
$$;

-- Cancels a run: pending and runnable phases are cancelled at once; claimed and running
-- ones see cancel_requested on their next heartbeat. The run ends when all are terminal.
create or replace function ops.cancel_run(p_run_id uuid, p_reason text default null)
returns jsonb
language plpgsql as $$
declare
  v_tenant text := ops.require_role('operator', 'admin');
  v_run ops.runs;
  v_name text;
begin
  -- Phase rows first, in phase order (the global lock order), then the run row.
  perform 1 from ops.phases where run_id = p_run_id order by ordinal for update;
  select * into v_run from ops.runs where run_id = p_run_id for update;
  if not found then
    raise exception 'run % not found', p_run_id using errcode = 'OP404';
  end if;
  if v_run.status in ('succeeded', 'failed', 'cancelled') then
    return ops.run_json(p_run_id);
  end if;
  update ops.runs set cancel_requested = true, cancel_reason = coalesce(cancel_reason, p_reason)
   where run_id = p_run_id;
  for v_name in
    select name from ops.phases
     where run_id = p_run_id and status in ('pending', 'runnable')
     order by ordinal
  loop
    update ops.phases set status = 'cancelled', finished_at = now(), next_attempt_at = null
     where run_id = p_run_id and name = v_name;
    perform ops._emit(p_run_id, v_name, 'PHASE_CANCELLED', 'warn', 'cancelled',
                      jsonb_strip_nulls(jsonb_build_object('reason', p_reason)));
  end loop;
  perform ops._finalize_run(p_run_id);
  return ops.run_json(p_run_id);
end
$$;

-- The lease reaper, run by the server as the owner across tenants. Expires leases not
-- heartbeated past expires_at and attempts past timeout_seconds since their claim. Only
-- one caller acts at a time (try-lock); the others return 0 at once.
create or replace function ops.expire_leases() returns int
language plpgsql as $$
declare
  v_phase ops.phases;
  v_count int := 0;
  v_reason text;
begin
  if not pg_try_advisory_xact_lock(7301, 1) then
    return 0;
  end if;
  for v_phase in
    select * from ops.phases
     where status in ('claimed', 'running')
       and (lease_expires_at <= now()
            or claimed_at + make_interval(secs => timeout_seconds) <= now())
     order by lease_expires_at
     for update skip locked
  loop
    v_reason := case when v_phase.claimed_at + make_interval(secs => v_phase.timeout_seconds) <= now()
                     then 'timeout' else 'lease' end;
    perform ops._emit(v_phase.run_id, v_phase.name, 'LEASE_EXPIRED', 'warn',
                      case v_reason
                        when 'timeout' then format('attempt %s exceeded timeout_seconds (%s s)',
                                                   v_phase.attempt, v_phase.timeout_seconds)
                        else format('attempt %s was not heartbeated before its lease expired',
                                    v_phase.attempt) end,
                      jsonb_build_object('attempt', v_phase.attempt,
                                         'executor_id', v_phase.claimed_by,
                                         'expires_at', ops.ts(v_phase.lease_expires_at),
                                         'reason', v_reason));
    perform ops._end_failed_attempt(
      v_phase.run_id, v_phase.name, 'expired',
      jsonb_build_object('message', case v_reason
                                      when 'timeout' then 'attempt exceeded timeout_seconds'
                                      else 'lease expired' end,
                         'code', case v_reason when 'timeout' then 'timeout'
                                               else 'lease_expired' end,
                         'retryable', true),
      true);
    perform ops._finalize_run(v_phase.run_id);
    v_count := v_count + 1;
  end loop;
  return v_count;
end
$$;

-- Reads. Any valid role may read; RLS keeps them inside the caller's tenant.

create or replace function ops.get_run(p_run_id uuid) returns jsonb
language plpgsql stable as $$
declare
  v_tenant text := ops.require_role('viewer', 'executor', 'operator', 'admin');
  v_run jsonb := ops.run_json(p_run_id);
begin
  if v_run is null then
    raise exception 'run % not found', p_run_id using errcode = 'OP404';
  end if;
  return v_run;
end
$$;

-- Newest first, keyset-paged on (created_at, run_id). `next_after` is the key of the
-- last item when another page exists (the driver encodes it as an opaque cursor).
create or replace function ops.list_runs(
  p_status text, p_spec_slug text, p_environment text, p_limit int,
  p_after_created_at timestamptz default null, p_after_run_id uuid default null
) returns jsonb
language plpgsql stable as $$
declare
  v_tenant text := ops.require_role('viewer', 'executor', 'operator', 'admin');
  v_ids uuid[];
  v_last ops.runs;
  v_limit int := least(greatest(coalesce(p_limit, 50), 1), 200);
begin
  -- One row more than asked tells whether another page exists.
  select coalesce(array_agg(r.run_id order by r.created_at desc, r.run_id desc), '{}')
    into v_ids
    from (select run_id, created_at from ops.runs
           where tenant_id = v_tenant
             and (p_status is null or status = p_status)
             and (p_spec_slug is null or spec_slug = p_spec_slug)
             and (p_environment is null or environment = p_environment)
             and (p_after_created_at is null
                  or (created_at, run_id) < (p_after_created_at, p_after_run_id))
           order by created_at desc, run_id desc
           limit v_limit + 1) r;
  if cardinality(v_ids) > v_limit then
    v_ids := v_ids[1:v_limit];
    select * into v_last from ops.runs where run_id = v_ids[v_limit];
  end if;
  return jsonb_build_object(
    'items', coalesce((select jsonb_agg(ops.run_json(x.id) order by x.ord)
                         from unnest(v_ids) with ordinality as x (id, ord)), '[]'::jsonb),
    'next_after', case when v_last.run_id is null then null
                       else jsonb_build_object(
                         'created_at', to_char(v_last.created_at at time zone 'UTC',
                                               'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                         'run_id', v_last.run_id) end);
end
$$;

create or replace function ops.list_events(p_run_id uuid, p_after_seq bigint, p_limit int)
returns jsonb
language plpgsql stable as $$
declare
  v_tenant text := ops.require_role('viewer', 'executor', 'operator', 'admin');
  v_items jsonb;
  v_last bigint;
begin
  if not exists (select 1 from ops.runs where run_id = p_run_id) then
    raise exception 'run % not found', p_run_id using errcode = 'OP404';
  end if;
  select coalesce(jsonb_agg(ops.event_json(e) order by e.seq), '[]'::jsonb), max(e.seq)
    into v_items, v_last
    from (select * from ops.run_events
           where run_id = p_run_id and seq > coalesce(p_after_seq, 0)
           order by seq
           limit least(greatest(coalesce(p_limit, 100), 1), 1000)) e;
  return jsonb_build_object('items', v_items, 'next_seq', coalesce(v_last, p_after_seq, 0));
end
$$;

create or replace function ops.get_artifact(p_sha256 text) returns jsonb
language plpgsql stable as $$
declare
  v_tenant text := ops.require_role('viewer', 'executor', 'operator', 'admin');
  v_artifact jsonb := ops.artifact_json(v_tenant, p_sha256);
begin
  if v_artifact is null then
    raise exception 'artifact % not found', p_sha256 using errcode = 'OP404';
  end if;
  return v_artifact;
end
$$;

-- Counts for /metrics, read by the server as the owner across tenants. The claim-wait
-- histogram is cumulative (Prometheus style) over every claim ever made.
create or replace function ops.metrics_snapshot(p_buckets double precision[]) returns jsonb
language sql stable as $$
  select jsonb_build_object(
    'runs_by_status', coalesce((select jsonb_object_agg(status, n)
                                  from (select status, count(*) as n from ops.runs
                                         group by status) s), '{}'::jsonb),
    'phases_by_status', coalesce((select jsonb_object_agg(status, n)
                                    from (select status, count(*) as n from ops.phases
                                           group by status) s), '{}'::jsonb),
    'queue_depth', (select count(*) from ops.phases
                     where status = 'runnable' and runnable_since <= now()),
    'lease_expirations_total', (select count(*) from ops.phase_attempts
                                 where outcome = 'expired'),
    'artifacts_total', (select count(*) from ops.artifacts),
    'claim_wait', (
      with waits as (
        select greatest(extract(epoch from claimed_at - runnable_since), 0)::double precision as w
          from ops.phase_attempts)
      select jsonb_build_object(
        'buckets', coalesce((select jsonb_agg(jsonb_build_object(
                                       'le', b.le,
                                       'count', (select count(*) from waits where w <= b.le))
                                     order by b.le)
                               from unnest(p_buckets) as b (le)), '[]'::jsonb),
        'sum', coalesce((select sum(w) from waits), 0),
        'count', (select count(*) from waits))))
$$;

-- Callers run as `authenticated`; the reaper and metrics are for the owner only.
revoke execute on function ops.expire_leases() from public;
revoke execute on function ops.metrics_snapshot(double precision[]) from public;
grant execute on function
  ops.create_run(jsonb, text),
  ops.claim_phase(uuid, text, text[], text[], uuid, int),
  ops.heartbeat(uuid, text, jsonb),
  ops.append_events(uuid, jsonb),
  ops.register_artifact(jsonb),
  ops.complete_phase(uuid, text, text, jsonb, jsonb, jsonb),
  ops.cancel_run(uuid, text),
  ops.get_run(uuid),
  ops.list_runs(text, text, text, int, timestamptz, uuid),
  ops.list_events(uuid, bigint, int),
  ops.get_artifact(text)
to authenticated;
