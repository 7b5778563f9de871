-- Claims in O(1) of queue depth. 0005's claim read every runnable phase of the tenant,
-- joined each to its run and sorted them, because the index did not cover the claim order
-- and the planner, misled by the row estimate of `requires <@ capabilities` (array
-- containment gets a tiny default selectivity), expected a single row and saw no reason
-- to read in index order. This index is the claim order itself, so a claim walks it from
-- the oldest runnable phase and stops at the first one it may take.
create index phases_claim_order on ops.phases (tenant_id, runnable_since, run_id, ordinal)
  where status = 'runnable';
-- Its leading columns are the new index's, so it only cost writes.
drop index ops.phases_runnable;

-- `requires <@ capabilities` behind a function call the planner cannot inline: it then
-- estimates a third of the rows pass instead of almost none, and keeps the ordered
-- index scan that stops early. Evaluated once per candidate the scan reaches.
create or replace function ops.capabilities_cover(p_requires text[], p_capabilities text[])
returns boolean
language plpgsql immutable parallel safe as $$
begin
  return p_requires <@ coalesce(p_capabilities, '{}'::text[]);
end
$$;

-- Same contract as in 0005 (the oldest runnable phase the executor can run: of one run
-- when p_run_id is given, else across the caller's runs in p_environments; the lease or
-- null; a repeated p_request_id returns its first lease). What changed is how the phase
-- is found: one statement per case, each shaped for its index.
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
