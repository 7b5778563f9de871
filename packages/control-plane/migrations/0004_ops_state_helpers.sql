-- Internal steps of the state machine, shared by the API functions (as the caller, under
-- RLS) and the lease reaper (as the owner). They check no roles: their callers do.
-- Lock order everywhere: phase rows first, then the run row (via ops._emit or FOR UPDATE),
-- so claims, completes, cancels and the reaper cannot deadlock each other.

-- Appends one server-written event, taking the next gap-free seq under the run's row lock.
create or replace function ops._emit(
  p_run_id uuid, p_phase text, p_type text, p_level text, p_message text, p_payload jsonb
) returns bigint
language plpgsql as $$
declare
  v_seq bigint;
  v_tenant text;
begin
  update ops.runs set event_seq = event_seq + 1
   where run_id = p_run_id
   returning event_seq, tenant_id into v_seq, v_tenant;
  insert into ops.run_events (tenant_id, run_id, seq, event_id, phase, type, ts, level, message,
                              payload, source)
  values (v_tenant, p_run_id, v_seq, ops.uuid_v7(), p_phase, p_type, clock_timestamp(), p_level,
          coalesce(p_message, ''), coalesce(p_payload, '{}'::jsonb), 'server');
  -- Delivered at commit; identical payloads in one transaction collapse into one.
  perform pg_notify('controlroom_ops_events', p_run_id::text);
  return v_seq;
end
$$;

-- CONTRACT.md semantics 5: min(max, initial * coefficient^(n-1)) plus up to 20% jitter.
create or replace function ops.backoff_ms(
  p_initial_ms bigint, p_coefficient double precision, p_max_ms bigint, p_failed_attempts int
) returns bigint
language sql volatile as $$
  select round(
    least(p_max_ms::double precision,
          p_initial_ms * power(p_coefficient, greatest(p_failed_attempts, 1) - 1))
    * (1 + 0.2 * random()))::bigint
$$;

-- Pending phases whose parents have all succeeded become runnable now.
create or replace function ops._promote_dependants(p_run_id uuid) returns int
language plpgsql as $$
declare
  v_count int;
begin
  update ops.phases p
     set status = 'runnable', runnable_since = now(), next_attempt_at = null
   where p.run_id = p_run_id
     and p.status = 'pending'
     and not exists (
       select 1 from unnest(p.depends_on) as d(name)
        where not exists (select 1 from ops.phases q
                           where q.run_id = p_run_id and q.name = d.name
                             and q.status = 'succeeded'))
     and not (select r.cancel_requested from ops.runs r where r.run_id = p_run_id);
  get diagnostics v_count = row_count;
  if v_count > 0 then
    perform pg_notify('controlroom_ops_runnable', '');
  end if;
  return v_count;
end
$$;

-- Every phase downstream of a failed one is skipped, in phase order, each with an event.
create or replace function ops._skip_dependants(p_run_id uuid, p_failed text) returns void
language plpgsql as $$
declare
  v_name text;
begin
  for v_name in
    with recursive downstream (name) as (
      select p.name from ops.phases p
       where p.run_id = p_run_id and p_failed = any (p.depends_on)
      union
      select p.name from ops.phases p
        join downstream d on d.name = any (p.depends_on)
       where p.run_id = p_run_id
    )
    select p.name from ops.phases p
     where p.run_id = p_run_id and p.name in (select name from downstream)
       and p.status in ('pending', 'runnable')
     order by p.ordinal
  loop
    update ops.phases
       set status = 'skipped', finished_at = now(), next_attempt_at = null
     where run_id = p_run_id and name = v_name;
    perform ops._emit(p_run_id, v_name, 'PHASE_SKIPPED', 'warn',
                      format('skipped: upstream phase %s failed', p_failed),
                      jsonb_build_object('failed_upstream', p_failed));
  end loop;
end
$$;

-- Ends the live attempt of a phase as failed (`p_outcome` 'failed' or 'expired') and
-- decides what follows: cancelled (run cancel requested), requeued with backoff (attempts
-- left and retryable), or failed with its dependants skipped.
create or replace function ops._end_failed_attempt(
  p_run_id uuid, p_phase text, p_outcome text, p_error jsonb, p_retryable boolean
) returns void
language plpgsql as $$
declare
  v_phase ops.phases;
  v_cancel boolean;
  v_delay bigint;
  v_next timestamptz;
begin
  select * into v_phase from ops.phases where run_id = p_run_id and name = p_phase;
  update ops.phase_attempts
     set finished_at = now(),
         outcome = case when p_outcome = 'expired' then 'expired'
                        else 'failed' end,
         error = p_error
   where lease_token = v_phase.lease_token;
  select cancel_requested into v_cancel from ops.runs where run_id = p_run_id;

  if v_cancel then
    update ops.phases
       set status = 'cancelled', finished_at = now(), lease_token = null,
           lease_expires_at = null, last_error = p_error
     where run_id = p_run_id and name = p_phase;
    perform ops._emit(p_run_id, p_phase, 'PHASE_CANCELLED', 'warn',
                      'cancelled: the run was cancelled while this attempt ran',
                      jsonb_build_object('attempt', v_phase.attempt));
  elsif p_retryable and v_phase.attempt < v_phase.max_attempts then
    v_delay := coalesce(
      (p_error ->> 'retry_after_ms')::bigint,
      ops.backoff_ms(v_phase.initial_interval_ms, v_phase.backoff_coefficient,
                     v_phase.max_interval_ms, v_phase.attempt));
    v_next := now() + make_interval(secs => v_delay / 1000.0);
    update ops.phases
       set status = 'runnable', runnable_since = v_next, next_attempt_at = v_next,
           lease_token = null, lease_expires_at = null, claimed_by = null,
           last_error = p_error
     where run_id = p_run_id and name = p_phase;
    perform ops._emit(p_run_id, p_phase, 'PHASE_RETRY_SCHEDULED', 'warn',
                      format('attempt %s failed; attempt %s at %s', v_phase.attempt,
                             v_phase.attempt + 1, ops.ts(v_next)),
                      jsonb_build_object('attempt', v_phase.attempt,
                                         'next_attempt', v_phase.attempt + 1,
                                         'next_attempt_at', ops.ts(v_next),
                                         'delay_ms', v_delay,
                                         'error', p_error));
    perform pg_notify('controlroom_ops_runnable', '');
  else
    update ops.phases
       set status = 'failed', finished_at = now(), lease_token = null,
           lease_expires_at = null, last_error = p_error
     where run_id = p_run_id and name = p_phase;
    perform ops._emit(p_run_id, p_phase, 'PHASE_FAILED', 'error',
                      coalesce(p_error ->> 'message', 'phase failed'),
                      jsonb_build_object('attempt', v_phase.attempt, 'error', p_error));
    perform ops._skip_dependants(p_run_id, p_phase);
  end if;
end
$$;

-- When every phase is terminal, the run ends: succeeded when all succeeded, failed when
-- any failed, cancelled otherwise; output_manifest collects each phase's manifest.
create or replace function ops._finalize_run(p_run_id uuid) returns void
language plpgsql as $$
declare
  v_run ops.runs;
  v_status text;
  v_failed text[];
begin
  select * into v_run from ops.runs where run_id = p_run_id for update;
  if v_run.status in ('succeeded', 'failed', 'cancelled') then
    return;
  end if;
  if exists (select 1 from ops.phases
              where run_id = p_run_id
                and status not in ('succeeded', 'failed', 'cancelled', 'skipped')) then
    return;
  end if;
  select coalesce(array_agg(name order by ordinal) filter (where status = 'failed'), '{}')
    into v_failed from ops.phases where run_id = p_run_id;
  v_status := case
    when not exists (select 1 from ops.phases where run_id = p_run_id and status <> 'succeeded')
      then 'succeeded'
    when cardinality(v_failed) > 0 then 'failed'
    else 'cancelled' end;
  update ops.runs
     set status = v_status,
         finished_at = now(),
         output_manifest = jsonb_build_object('phases', coalesce(
           (select jsonb_object_agg(p.name, p.output_manifest order by p.ordinal)
              from ops.phases p where p.run_id = p_run_id), '{}'::jsonb))
   where run_id = p_run_id;
  perform ops._emit(
    p_run_id, null,
    case v_status when 'succeeded' then 'RUN_SUCCEEDED'
                  when 'failed' then 'RUN_FAILED' else 'RUN_CANCELLED' end,
    case v_status when 'failed' then 'error' when 'cancelled' then 'warn' else 'info' end,
    format('run %s', v_status),
    jsonb_strip_nulls(jsonb_build_object(
      'status', v_status,
      'failed_phases', case when cardinality(v_failed) > 0 then to_jsonb(v_failed) end,
      'reason', v_run.cancel_reason)));
end
$$;
