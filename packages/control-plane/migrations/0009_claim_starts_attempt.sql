-- A claim may start its attempt (`start`): the phase goes straight to `running` and the
-- server writes PHASE_STARTED with PHASE_CLAIMED, in the claim's transaction. A worker
-- that starts its phase as soon as it holds the lease then needs no first heartbeat,
-- which was a third of the requests and database calls of a short phase. Without
-- `start` a claim is what it was: `claimed` until the first heartbeat.
--
-- Events a state change implies together are appended by one ops._emit_events call:
-- one update of the run's sequence and one insert for all of them, where ops._emit
-- costs an update, an insert and a notification per event.

-- Appends server-written events in the order given (`p_events`: a JSON array of
-- { phase, type, level, message, payload }), taking consecutive gap-free seqs under
-- the run's row lock, as ops._emit does one at a time.
create or replace function ops._emit_events(p_run_id uuid, p_events jsonb) returns bigint
language plpgsql as $$
declare
  v_count int := jsonb_array_length(p_events);
  v_last bigint;
  v_tenant text;
begin
  if v_count = 0 then
    return null;
  end if;
  update ops.runs set event_seq = event_seq + v_count
   where run_id = p_run_id
   returning event_seq, tenant_id into v_last, v_tenant;
  insert into ops.run_events (tenant_id, run_id, seq, event_id, phase, type, ts, level, message,
                              payload, source)
  select v_tenant, p_run_id, v_last - v_count + e.ordinality, ops.uuid_v7(), e.value ->> 'phase',
         e.value ->> 'type', clock_timestamp(), e.value ->> 'level',
         coalesce(e.value ->> 'message', ''), coalesce(e.value -> 'payload', '{}'::jsonb), 'server'
    from jsonb_array_elements(p_events) with ordinality as e
   order by e.ordinality;
  perform pg_notify('controlroom_ops_events', p_run_id::text);
  return v_last;
end
$$;

-- The lease says whether its attempt has started (a claim with `start`, or a heartbeat
-- since): a worker that asked for `start` from a server without it sees `false` and
-- sends the first heartbeat itself.
create or replace function ops.lease_json(p_lease_token text) returns jsonb
language plpgsql stable as $$
begin
  return (
    select jsonb_build_object(
      'lease_token', a.lease_token,
      'run_id', a.run_id,
      'phase', a.phase,
      'attempt', a.attempt,
      'expires_at', ops.ts(a.expires_at),
      -- A third of the lease leaves room for two lost heartbeats before it expires.
      'heartbeat_interval_ms', greatest(1, (a.lease_seconds * 1000) / 3),
      'started', a.started_at is not null,
      'spec_slug', r.spec_slug,
      'git_sha', r.git_sha,
      'environment', r.environment,
      'input_manifest', r.input_manifest,
      'phase_spec', ops.phase_spec_json(p),
      'upstream_outputs', coalesce((select jsonb_object_agg(u.name, u.output)
                                    from ops.phases u
                                    where u.run_id = p.run_id and u.name = any (p.depends_on)),
                                   '{}'::jsonb))
    from ops.phase_attempts a
    join ops.phases p on p.run_id = a.run_id and p.name = a.phase
    join ops.runs r on r.run_id = a.run_id
    where a.lease_token = p_lease_token);
end
$$;

-- A new parameter is a new signature: the old one goes, so no call resolves to it.
drop function ops.claim_phase(uuid, text, text[], text[], uuid, int);

-- As in 0007, plus `p_start`; the server's own events go in one ops._emit_events call.
create or replace function ops.claim_phase(
  p_run_id uuid,
  p_executor_id text,
  p_capabilities text[],
  p_environments text[],
  p_request_id uuid,
  p_lease_seconds int default null,
  p_start boolean default false
) returns jsonb
language plpgsql as $$
declare
  v_tenant text := ops.require_role('executor', 'admin');
  v_token text;
  v_phase ops.phases;
  v_run_status text;
  -- Very short leases would expire between heartbeats: raise them to 5 s, cap at 1 h.
  v_lease_seconds int := least(greatest(coalesce(p_lease_seconds, 60), 5), 3600);
  v_expires timestamptz;
  v_events jsonb := '[]'::jsonb;
begin
  perform pg_advisory_xact_lock(hashtextextended('claim:' || v_tenant || ':' || p_request_id::text, 0));
  select lease_token into v_token from ops.phase_attempts
   where tenant_id = v_tenant and request_id = p_request_id;
  if found then
    return ops.lease_json(v_token);
  end if;

  -- SKIP LOCKED: concurrent claimers pass over a phase another transaction is taking,
  -- and re-check the WHERE clause on rows that changed, so one phase gets one lease.
  if p_run_id is not null then
    if not exists (select 1 from ops.runs where run_id = p_run_id) then
      raise exception 'run % not found', p_run_id using errcode = 'OP404';
    end if;
    -- A run has few phases: its primary key finds them all, a sort of those is cheap.
    select p.* into v_phase
      from ops.phases p
      join ops.runs r on r.run_id = p.run_id
     where p.run_id = p_run_id
       and p.tenant_id = v_tenant
       and p.status = 'runnable'
       and p.runnable_since <= now()
       and ops.capabilities_cover(p.requires, p_capabilities)
       and (p_environments is null or r.environment = any (p_environments))
       and r.status in ('queued', 'running')
       and not r.cancel_requested
     order by p.runnable_since, p.run_id, p.ordinal
     limit 1
     for update of p skip locked;
  else
    -- phases_claim_order read in order: the run filters are checked per candidate (a
    -- primary-key probe of its run) and the scan ends at the first phase it may take.
    select p.* into v_phase
      from ops.phases p
      join ops.runs r on r.run_id = p.run_id
     where p.tenant_id = v_tenant
       and p.status = 'runnable'
       and p.runnable_since <= now()
       and ops.capabilities_cover(p.requires, p_capabilities)
       and (p_environments is null or r.environment = any (p_environments))
       and r.status in ('queued', 'running')
       and not r.cancel_requested
     order by p.runnable_since, p.run_id, p.ordinal
     limit 1
     for update of p skip locked;
  end if;
  if not found then
    return null;
  end if;

  v_token := replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', '');
  -- The attempt ends at its timeout even if heartbeats keep coming (start-to-close).
  v_expires := least(now() + make_interval(secs => v_lease_seconds),
                     now() + make_interval(secs => v_phase.timeout_seconds));
  update ops.phases
     set status = case when p_start then 'running' else 'claimed' end,
         attempt = attempt + 1, claimed_by = p_executor_id,
         lease_token = v_token, lease_seconds = v_lease_seconds, claimed_at = now(),
         lease_expires_at = v_expires, next_attempt_at = null,
         started_at = coalesce(started_at, now())
   where run_id = v_phase.run_id and name = v_phase.name;
  -- started_at set is what the first heartbeat checks: it writes no second PHASE_STARTED.
  insert into ops.phase_attempts (lease_token, tenant_id, run_id, phase, attempt, executor_id,
                                  request_id, lease_seconds, runnable_since, claimed_at,
                                  expires_at, started_at, heartbeat_at)
  values (v_token, v_tenant, v_phase.run_id, v_phase.name, v_phase.attempt + 1, p_executor_id,
          p_request_id, v_lease_seconds, v_phase.runnable_since, now(), v_expires,
          case when p_start then now() end, case when p_start then now() end);

  select status into v_run_status from ops.runs where run_id = v_phase.run_id for update;
  if v_run_status = 'queued' then
    update ops.runs set status = 'running', started_at = now() where run_id = v_phase.run_id;
    v_events := v_events || jsonb_build_object(
      'phase', null, 'type', 'RUN_STARTED', 'level', 'info', 'message', 'run started');
  end if;
  v_events := v_events || jsonb_build_object(
    'phase', v_phase.name, 'type', 'PHASE_CLAIMED', 'level', 'info',
    'message', format('attempt %s claimed by %s', v_phase.attempt + 1, p_executor_id),
    'payload', jsonb_build_object(
      'attempt', v_phase.attempt + 1,
      'executor_id', p_executor_id,
      'expires_at', ops.ts(v_expires),
      'wait_ms', round(extract(epoch from now() - v_phase.runnable_since) * 1000)));
  if p_start then
    -- The same event the first heartbeat writes.
    v_events := v_events || jsonb_build_object(
      'phase', v_phase.name, 'type', 'PHASE_STARTED', 'level', 'info',
      'message', format('attempt %s started', v_phase.attempt + 1),
      'payload', jsonb_build_object('attempt', v_phase.attempt + 1,
                                    'executor_id', p_executor_id));
  end if;
  perform ops._emit_events(v_phase.run_id, v_events);
  return ops.lease_json(v_token);
end
$$;

grant execute on function ops.claim_phase(uuid, text, text[], text[], uuid, int, boolean)
  to authenticated;
