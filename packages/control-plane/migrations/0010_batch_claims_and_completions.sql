-- Batch claims and completions: a worker with several free slots claims them in one call,
-- and completes the attempts that ended meanwhile in one call. Each lease and each
-- completion is what ops.claim_phase / ops.complete_phase would make of it (same rows,
-- same events, same seqs); what the batch shares is the rest: one call, one transaction,
-- one insert of all its events, and short statements in place of the single functions'
-- general ones.
--
-- Every statement here reaches a row by a unique key given as a scalar (a loop over the
-- batch), never by joining the batch to a table: PL/pgSQL keeps one plan per statement
-- per connection, and a join planned while the tables were small (a new database, before
-- autoanalyze) scans them whole, and keeps doing so as they grow.
--
-- Lock order stays phases first, then runs (in run_id order). A completion that leaves
-- the happy path (a failure, a lost lease, a repeat) is applied by ops.complete_phase
-- after the others, in a subtransaction of its own, so a refusal undoes only itself.

-- Appends server-written events of several runs (`p_events`: a JSON array of
-- { run_id, phase, type, level, message, payload }): each run's events take consecutive
-- gap-free seqs in the order given. The caller holds the runs' row locks, taken in
-- run_id order, so the seq updates wait for nobody.
create or replace function ops._emit_run_events(p_events jsonb) returns void
language plpgsql as $$
declare
  v_runs uuid[];
  v_counts int[];
  v_last bigint[];
  v_tenants text[];
  v_seq bigint;
  v_tenant text;
begin
  if p_events is null or jsonb_array_length(p_events) = 0 then
    return;
  end if;
  select array_agg(run_id order by run_id), array_agg(n order by run_id)
    into v_runs, v_counts
    from (select (x ->> 'run_id')::uuid as run_id, count(*)::int as n
            from jsonb_array_elements(p_events) as x
           group by 1) as c;
  for i in 1 .. cardinality(v_runs) loop
    update ops.runs set event_seq = event_seq + v_counts[i]
     where run_id = v_runs[i]
     returning event_seq, tenant_id into v_seq, v_tenant;
    v_last[i] := v_seq;
    v_tenants[i] := v_tenant;
  end loop;
  insert into ops.run_events (tenant_id, run_id, seq, event_id, phase, type, ts, level, message,
                              payload, source)
  select v_tenants[k], e.run_id,
         v_last[k] - v_counts[k] + row_number() over (partition by e.run_id order by e.ord),
         ops.uuid_v7(), e.value ->> 'phase', e.value ->> 'type', clock_timestamp(),
         e.value ->> 'level', coalesce(e.value ->> 'message', ''),
         coalesce(e.value -> 'payload', '{}'::jsonb), 'server'
    from (select (x.value ->> 'run_id')::uuid as run_id, x.value, x.ordinality as ord
            from jsonb_array_elements(p_events) with ordinality as x) as e
    cross join lateral (select array_position(v_runs, e.run_id) as k) as r
   order by e.ord;
  for i in 1 .. cardinality(v_runs) loop
    perform pg_notify('controlroom_ops_events', v_runs[i]::text);
  end loop;
end
$$;

-- The leases of `p_tokens`, in that order, shaped as ops.lease_json shapes one.
create or replace function ops.leases_json(p_tokens text[]) returns jsonb
language plpgsql stable as $$
declare
  v_leases jsonb := '[]'::jsonb;
begin
  for i in 1 .. coalesce(cardinality(p_tokens), 0) loop
    v_leases := v_leases || jsonb_build_array(ops.lease_json(p_tokens[i]));
  end loop;
  return v_leases;
end
$$;

-- Claims up to p_max of the oldest runnable phases across the caller's runs, as
-- ops.claim_phase (without a run) claims one: a JSON array of leases, oldest first,
-- empty when nothing is runnable. The k-th lease of a batch records a request id derived
-- from p_request_id (the first records p_request_id itself), so a repeated request
-- returns the same leases and never claims more.
create or replace function ops.claim_phases(
  p_executor_id text,
  p_capabilities text[],
  p_environments text[],
  p_request_id uuid,
  p_lease_seconds int default null,
  p_start boolean default false,
  p_max int default 1
) returns jsonb
language plpgsql as $$
declare
  v_tenant text := ops.require_role('executor', 'admin');
  -- Very short leases would expire between heartbeats: raise them to 5 s, cap at 1 h.
  v_lease_seconds int := least(greatest(coalesce(p_lease_seconds, 60), 5), 3600);
  v_request_id uuid;
  v_tokens text[] := '{}';
  v_token text;
  v_phase record;
  v_expires timestamptz;
  v_runs uuid[];
  v_run_status text;
  v_events jsonb := '[]'::jsonb;
  v_k int := 0;
begin
  if p_max is null or p_max < 1 or p_max > 100 then
    raise exception 'max_leases must be between 1 and 100' using errcode = 'OP400';
  end if;
  perform pg_advisory_xact_lock(hashtextextended('claim:' || v_tenant || ':' || p_request_id::text, 0));
  for k in 1 .. p_max loop
    v_request_id := case when k = 1 then p_request_id
                         else md5(p_request_id::text || ':' || k)::uuid end;
    select lease_token into v_token from ops.phase_attempts
     where tenant_id = v_tenant and request_id = v_request_id;
    exit when not found;
    v_tokens := v_tokens || v_token;
  end loop;
  if cardinality(v_tokens) > 0 then
    return ops.leases_json(v_tokens);
  end if;

  -- Picked in claim order (the phases_claim_order index, as ops.claim_phase reads it),
  -- skipping rows other claimers hold; each is leased and its attempt recorded.
  for v_phase in
    select p.run_id, p.name, p.attempt + 1 as attempt, p.runnable_since, p.timeout_seconds
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
     limit p_max
     for update of p skip locked
  loop
    v_k := v_k + 1;
    v_token := replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', '');
    -- The attempt ends at its timeout even if heartbeats keep coming (start-to-close).
    v_expires := least(now() + make_interval(secs => v_lease_seconds),
                       now() + make_interval(secs => v_phase.timeout_seconds));
    update ops.phases
       set status = case when p_start then 'running' else 'claimed' end,
           attempt = v_phase.attempt, claimed_by = p_executor_id,
           lease_token = v_token, lease_seconds = v_lease_seconds, claimed_at = now(),
           lease_expires_at = v_expires, next_attempt_at = null,
           started_at = coalesce(started_at, now())
     where run_id = v_phase.run_id and name = v_phase.name;
    insert into ops.phase_attempts (lease_token, tenant_id, run_id, phase, attempt, executor_id,
                                    request_id, lease_seconds, runnable_since, claimed_at,
                                    expires_at, started_at, heartbeat_at)
    values (v_token, v_tenant, v_phase.run_id, v_phase.name, v_phase.attempt, p_executor_id,
            case when v_k = 1 then p_request_id
                 else md5(p_request_id::text || ':' || v_k)::uuid end,
            v_lease_seconds, v_phase.runnable_since, now(), v_expires,
            case when p_start then now() end, case when p_start then now() end);
    v_tokens := v_tokens || v_token;
    v_events := v_events || jsonb_build_object(
      'run_id', v_phase.run_id, 'phase', v_phase.name, 'type', 'PHASE_CLAIMED',
      'level', 'info',
      'message', format('attempt %s claimed by %s', v_phase.attempt, p_executor_id),
      'payload', jsonb_build_object(
        'attempt', v_phase.attempt,
        'executor_id', p_executor_id,
        'expires_at', ops.ts(v_expires),
        'wait_ms', round(extract(epoch from now() - v_phase.runnable_since) * 1000)));
    if p_start then
      -- The same event the first heartbeat writes.
      v_events := v_events || jsonb_build_object(
        'run_id', v_phase.run_id, 'phase', v_phase.name, 'type', 'PHASE_STARTED',
        'level', 'info', 'message', format('attempt %s started', v_phase.attempt),
        'payload', jsonb_build_object('attempt', v_phase.attempt,
                                      'executor_id', p_executor_id));
    end if;
  end loop;
  if v_k = 0 then
    return '[]'::jsonb;
  end if;

  -- The runs' row locks, in run_id order; the first claim of a queued run starts it, and
  -- RUN_STARTED goes before the run's other events.
  v_runs := array(select distinct (e ->> 'run_id')::uuid
                    from jsonb_array_elements(v_events) as e order by 1);
  for i in 1 .. cardinality(v_runs) loop
    select status into v_run_status from ops.runs where run_id = v_runs[i] for update;
    if v_run_status = 'queued' then
      update ops.runs set status = 'running', started_at = now() where run_id = v_runs[i];
      v_events := jsonb_build_array(jsonb_build_object(
        'run_id', v_runs[i], 'phase', null, 'type', 'RUN_STARTED', 'level', 'info',
        'message', 'run started')) || v_events;
    end if;
  end loop;
  perform ops._emit_run_events(v_events);
  return ops.leases_json(v_tokens);
end
$$;

-- Applies several completes (`p_items`: a JSON array of { run_id, lease_token, status,
-- output?, output_manifest?, error? }) in one transaction, each as ops.complete_phase
-- would, and answers one result per item, in the items' order:
-- { outcome: 'completed', run_id, lease_token, phase, run_status, runnable } or
-- { outcome: 'rejected', run_id, lease_token, sqlstate, message } with what
-- ops.complete_phase would have refused it with. `runnable` says a phase of the run may
-- be claimed now (for the server's own long-polls).
--
-- Successes on live leases, the bulk of any batch, are applied together: their phases
-- and attempts, then per run the dependants they unblock and the run's end, then every
-- event in one insert. Anything else goes through ops.complete_phase one by one
-- afterwards, so within one run a success may be recorded before a failure listed ahead
-- of it; the end state is the same either way (a phase's fate does not depend on its
-- siblings').
create or replace function ops.complete_phases(p_items jsonb) returns jsonb
language plpgsql as $$
declare
  v_tenant text := ops.require_role('executor', 'admin');
  v_count int;
  v_results jsonb[];
  v_item record;
  v_phase record;
  v_done jsonb := '[]'::jsonb;
  v_runs uuid[];
  v_events jsonb := '[]'::jsonb;
  v_run ops.runs;
  v_open int;
  v_failed text[];
  v_manifests jsonb;
  v_status text;
  v_promoted int;
  v_runnable boolean := false;
  v_run_status jsonb := '{}'::jsonb;
  v_result jsonb;
begin
  if jsonb_typeof(p_items) is distinct from 'array' or jsonb_array_length(p_items) = 0
     or jsonb_array_length(p_items) > 100 then
    raise exception 'completions must be an array of 1 to 100 items' using errcode = 'OP400';
  end if;
  v_count := jsonb_array_length(p_items);
  v_results := array_fill(null::jsonb, array[v_count]);

  -- The happy path: a success on a live lease. The phase rows are locked in (run_id,
  -- lease_token) order, the order every batch uses; a token given twice is taken once
  -- (its repeat is answered below as a repeat).
  for v_item in
    select * from (
      select distinct on (i.value ->> 'lease_token')
             i.ordinality::int as ord, (i.value ->> 'run_id')::uuid as run_id,
             i.value ->> 'lease_token' as lease_token,
             nullif(i.value -> 'output', 'null'::jsonb) as output,
             nullif(i.value -> 'output_manifest', 'null'::jsonb) as output_manifest
        from jsonb_array_elements(p_items) with ordinality as i
       where i.value ->> 'status' = 'succeeded'
       order by i.value ->> 'lease_token', i.ordinality) as f
     order by f.run_id, f.lease_token
  loop
    update ops.phases
       set status = 'succeeded', output = v_item.output, output_manifest = v_item.output_manifest,
           lease_token = null, lease_expires_at = null, finished_at = now()
     where run_id = v_item.run_id and lease_token = v_item.lease_token
       and status in ('claimed', 'running') and lease_expires_at > now()
    returning name, ordinal, attempt, claimed_by into v_phase;
    continue when not found;
    update ops.phase_attempts set finished_at = now(), outcome = 'succeeded'
     where lease_token = v_item.lease_token;
    v_done := v_done || jsonb_build_object(
      'ord', v_item.ord, 'run_id', v_item.run_id, 'lease_token', v_item.lease_token,
      'phase', v_phase.name);
    v_events := v_events || jsonb_build_object(
      'run_id', v_item.run_id, 'phase', v_phase.name, 'type', 'PHASE_SUCCEEDED',
      'level', 'info', 'message', format('attempt %s succeeded', v_phase.attempt),
      'payload', jsonb_strip_nulls(jsonb_build_object(
        'attempt', v_phase.attempt,
        'executor_id', v_phase.claimed_by,
        'output_manifest', v_item.output_manifest)));
  end loop;

  if jsonb_array_length(v_done) > 0 then
    -- Per run, in run_id order (the lock order): ops._promote_dependants, then
    -- ops._finalize_run, their events queued behind the phases' own.
    v_runs := array(select distinct (d ->> 'run_id')::uuid
                      from jsonb_array_elements(v_done) as d order by 1);
    for i in 1 .. cardinality(v_runs) loop
      select * into v_run from ops.runs where run_id = v_runs[i] for update;
      update ops.phases p
         set status = 'runnable', runnable_since = now(), next_attempt_at = null
       where p.run_id = v_runs[i]
         and p.status = 'pending'
         and not v_run.cancel_requested
         and not exists (
           select 1 from unnest(p.depends_on) as d(name)
            where not exists (select 1 from ops.phases q
                               where q.run_id = v_runs[i] and q.name = d.name
                                 and q.status = 'succeeded'));
      get diagnostics v_promoted = row_count;
      v_runnable := v_runnable or v_promoted > 0;

      v_status := v_run.status;
      if v_run.status not in ('succeeded', 'failed', 'cancelled') then
        select count(*) filter (where status not in ('succeeded', 'failed', 'cancelled', 'skipped')),
               coalesce(array_agg(name order by ordinal) filter (where status = 'failed'), '{}'),
               jsonb_object_agg(name, output_manifest order by ordinal)
          into v_open, v_failed, v_manifests
          from ops.phases where run_id = v_runs[i];
        if v_open = 0 then
          v_status := case
            when cardinality(v_failed) = 0 and not exists (
              select 1 from ops.phases where run_id = v_runs[i] and status <> 'succeeded')
              then 'succeeded'
            when cardinality(v_failed) > 0 then 'failed'
            else 'cancelled' end;
          update ops.runs
             set status = v_status, finished_at = now(),
                 output_manifest = jsonb_build_object('phases', coalesce(v_manifests, '{}'::jsonb))
           where run_id = v_runs[i];
          v_events := v_events || jsonb_build_object(
            'run_id', v_runs[i], 'phase', null,
            'type', case v_status when 'succeeded' then 'RUN_SUCCEEDED'
                                  when 'failed' then 'RUN_FAILED' else 'RUN_CANCELLED' end,
            'level', case v_status when 'failed' then 'error'
                                   when 'cancelled' then 'warn' else 'info' end,
            'message', format('run %s', v_status),
            'payload', jsonb_strip_nulls(jsonb_build_object(
              'status', v_status,
              'failed_phases', case when cardinality(v_failed) > 0 then to_jsonb(v_failed) end,
              'reason', v_run.cancel_reason)));
        end if;
      end if;
      v_run_status := v_run_status || jsonb_build_object(v_runs[i]::text, v_status);
    end loop;
    if v_runnable then
      perform pg_notify('controlroom_ops_runnable', '');
    end if;
    perform ops._emit_run_events(v_events);

    -- On this path a phase becomes claimable only by promotion, counted above.
    for v_result in select d from jsonb_array_elements(v_done) as d loop
      v_results[(v_result ->> 'ord')::int] := jsonb_build_object(
        'outcome', 'completed', 'run_id', v_result ->> 'run_id',
        'lease_token', v_result ->> 'lease_token', 'phase', v_result ->> 'phase',
        'run_status', v_run_status ->> (v_result ->> 'run_id'), 'runnable', v_runnable);
    end loop;
  end if;

  -- Everything else, in order, as the single complete would answer it.
  for v_item in
    select i.ordinality::int as ord, i.value as item
      from jsonb_array_elements(p_items) with ordinality as i
     order by i.ordinality
  loop
    continue when v_results[v_item.ord] is not null;
    begin
      v_result := ops.complete_phase(
        (v_item.item ->> 'run_id')::uuid, v_item.item ->> 'lease_token',
        v_item.item ->> 'status', nullif(v_item.item -> 'output', 'null'::jsonb),
        nullif(v_item.item -> 'output_manifest', 'null'::jsonb),
        nullif(v_item.item -> 'error', 'null'::jsonb));
      v_results[v_item.ord] := jsonb_build_object(
        'outcome', 'completed', 'run_id', v_item.item ->> 'run_id',
        'lease_token', v_item.item ->> 'lease_token',
        'phase', (select a.phase from ops.phase_attempts a
                   where a.lease_token = v_item.item ->> 'lease_token'),
        'run_status', v_result ->> 'status',
        'runnable', exists (select 1 from jsonb_array_elements(v_result -> 'phases') as q
                             where q ->> 'status' = 'runnable'
                               and q -> 'next_attempt_at' = 'null'::jsonb));
    -- The refusals the single complete answers with a problem document (see the store's
    -- SQLSTATE map) become this completion's answer. Anything else (a deadlock, a
    -- serialization failure, a bug) fails the whole statement: the server logs it, the
    -- store or the client runs it again, and the batch is idempotent.
    exception when sqlstate 'OP400' or sqlstate 'OP403' or sqlstate 'OP404'
                or sqlstate 'OPL09' or sqlstate 'OPC09' or sqlstate '42501'
                or sqlstate '22P02' then
      v_results[v_item.ord] := jsonb_build_object(
        'outcome', 'rejected', 'run_id', v_item.item ->> 'run_id',
        'lease_token', v_item.item ->> 'lease_token', 'sqlstate', sqlstate,
        'message', sqlerrm);
    end;
  end loop;
  return to_jsonb(v_results);
end
$$;

grant execute on function
  ops.claim_phases(text, text[], text[], uuid, int, boolean, int),
  ops.complete_phases(jsonb)
to authenticated;

