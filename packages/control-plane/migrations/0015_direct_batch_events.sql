-- The batch functions write their events directly, and touch each run row once.
--
-- Measured with pg_stat_statements on batches of four (four workers): 0012's
-- claim_phases spent about half of its time on its events. It built them as a JSON array
-- (a jsonb_build_object, a format() and a jsonb_agg per event), which ops._emit_run_events
-- parsed back into rows; and a run row was updated twice per batch function: once for its
-- status (started, or ended) and once for its event seqs. Here each function reserves a
-- run's seqs in the same UPDATE that starts or ends it, and inserts the events from the
-- batch's arrays with that run's first seq. A fresh claim also builds its leases' JSON in
-- one statement from the rows it has just written, instead of one ops.lease_json call
-- (a statement with three joins) per lease; a repeated claim still answers through
-- ops.leases_json, and a test holds the two equal. The rows, seqs, events and answers are 0012's;
-- 0012's and 0014's rules for plans hold: batches reach rows as `key = any (array)` or by
-- ctid, never through a join, and the statements are planned generic.
--
-- `create or replace` sets a function's SET clauses anew, so both carry 0011's and 0014's.

-- Unused from here on: its two callers now insert their events themselves.
drop function ops._emit_run_events(jsonb);

create or replace function ops.claim_phases(
  p_executor_id text,
  p_capabilities text[],
  p_environments text[],
  p_request_id uuid,
  p_lease_seconds int default null,
  p_start boolean default false,
  p_max int default 1
) returns jsonb
language plpgsql
set enable_seqscan = off
set plan_cache_mode = force_generic_plan as $$
declare
  v_tenant text := ops.require_role('executor', 'admin');
  -- Very short leases would expire between heartbeats: raise them to 5 s, cap at 1 h.
  v_lease_seconds int := least(greatest(coalesce(p_lease_seconds, 60), 5), 3600);
  v_tokens text[];
  v_token text;
  v_ctids tid[];
  v_run_ids uuid[];
  v_names text[];
  v_attempts int[];
  v_since timestamptz[];
  v_expires timestamptz[];
  v_runs uuid[];
  v_counts int[];
  v_started uuid[];
  v_first_seqs bigint[];
  v_tenants text[];
  v_phases ops.phases[];
  v_spec_slugs text[];
  v_git_shas text[];
  v_environments text[];
  v_input_manifests jsonb[];
begin
  if p_max is null or p_max < 1 or p_max > 100 then
    raise exception 'max_leases must be between 1 and 100' using errcode = 'OP400';
  end if;
  perform pg_advisory_xact_lock(hashtextextended('claim:' || v_tenant || ':' || p_request_id::text, 0));
  -- A repeat: the leases this request id took (a new request misses on the first probe).
  v_tokens := '{}';
  for k in 1 .. p_max loop
    select lease_token into v_token from ops.phase_attempts
     where tenant_id = v_tenant
       and request_id = case when k = 1 then p_request_id
                             else md5(p_request_id::text || ':' || k)::uuid end;
    exit when not found;
    v_tokens := v_tokens || v_token;
  end loop;
  if cardinality(v_tokens) > 0 then
    return ops.leases_json(v_tokens);
  end if;

  -- Picked in claim order (the phases_claim_order index, as ops.claim_phase reads it),
  -- skipping rows other claimers hold; then leased by the ctids just locked.
  select coalesce(array_agg(c.ctid), '{}') into v_ctids
    from (select p.ctid
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
           for update of p skip locked) as c;
  if cardinality(v_ctids) = 0 then
    return '[]'::jsonb;
  end if;
  with leased as (
    update ops.phases p
       set status = case when p_start then 'running' else 'claimed' end,
           attempt = p.attempt + 1, claimed_by = p_executor_id,
           lease_token = replace(gen_random_uuid()::text, '-', '')
                         || replace(gen_random_uuid()::text, '-', ''),
           lease_seconds = v_lease_seconds, claimed_at = now(),
           -- The attempt ends at its timeout even if heartbeats keep coming (start-to-close).
           lease_expires_at = least(now() + make_interval(secs => v_lease_seconds),
                                    now() + make_interval(secs => p.timeout_seconds)),
           next_attempt_at = null, started_at = coalesce(p.started_at, now())
     where p.ctid = any (v_ctids)
    returning p.run_id, p.name, p.ordinal, p.attempt, p.lease_token, p.lease_expires_at,
              p.runnable_since, p as phase
  )
  select array_agg(l.run_id order by l.runnable_since, l.run_id, l.ordinal),
         array_agg(l.name order by l.runnable_since, l.run_id, l.ordinal),
         array_agg(l.attempt order by l.runnable_since, l.run_id, l.ordinal),
         array_agg(l.lease_token order by l.runnable_since, l.run_id, l.ordinal),
         array_agg(l.lease_expires_at order by l.runnable_since, l.run_id, l.ordinal),
         array_agg(l.runnable_since order by l.runnable_since, l.run_id, l.ordinal),
         array_agg(l.phase order by l.runnable_since, l.run_id, l.ordinal)
    into v_run_ids, v_names, v_attempts, v_tokens, v_expires, v_since, v_phases
    from leased as l;
  insert into ops.phase_attempts (lease_token, tenant_id, run_id, phase, attempt, executor_id,
                                  request_id, lease_seconds, runnable_since, claimed_at,
                                  expires_at, started_at, heartbeat_at)
  select c.token, v_tenant, c.run_id, c.name, c.attempt, p_executor_id,
         case when c.k = 1 then p_request_id else md5(p_request_id::text || ':' || c.k)::uuid end,
         v_lease_seconds, c.since, now(), c.expires,
         case when p_start then now() end, case when p_start then now() end
    from unnest(v_run_ids, v_names, v_attempts, v_tokens, v_expires, v_since)
         with ordinality as c(run_id, name, attempt, token, expires, since, k);

  -- The runs' row locks, in run_id order, with the status each had: the first claim of a
  -- queued run starts it.
  select array_agg(l.run_id order by l.run_id),
         coalesce(array_agg(l.run_id order by l.run_id) filter (where l.status = 'queued'), '{}')
    into v_runs, v_started
    from (select r.run_id, r.status from ops.runs r
           where r.run_id = any (v_run_ids) order by r.run_id for update) as l;
  -- Each run's events: RUN_STARTED if it starts, then per phase PHASE_CLAIMED and, when
  -- the claim starts the attempt, PHASE_STARTED.
  select array_agg((select count(*) from unnest(v_run_ids) as c(run_id) where c.run_id = r.id)
                   * (case when p_start then 2 else 1 end)
                   + (r.id = any (v_started))::int
                   order by r.ord)
    into v_counts
    from unnest(v_runs) with ordinality as r(id, ord);
  -- One update per run: its start, and its event seqs reserved (the events take
  -- consecutive seqs after first_seq). The rows are locked, so order does not matter here.
  with settled as (
    update ops.runs r
       set status = case when r.run_id = any (v_started) then 'running' else r.status end,
           started_at = case when r.run_id = any (v_started) then now() else r.started_at end,
           event_seq = r.event_seq + v_counts[array_position(v_runs, r.run_id)]
     where r.run_id = any (v_runs)
    returning r.run_id, r.tenant_id, r.event_seq - v_counts[array_position(v_runs, r.run_id)] as first_seq,
              r.spec_slug, r.git_sha, r.environment, r.input_manifest
  )
  select array_agg(s.first_seq order by s.run_id), array_agg(s.tenant_id order by s.run_id),
         array_agg(s.spec_slug order by s.run_id), array_agg(s.git_sha order by s.run_id),
         array_agg(s.environment order by s.run_id), array_agg(s.input_manifest order by s.run_id)
    into v_first_seqs, v_tenants, v_spec_slugs, v_git_shas, v_environments, v_input_manifests
    from settled as s;
  -- RUN_STARTED goes before the run's other events; a run's phases keep the claim order.
  insert into ops.run_events (tenant_id, run_id, seq, event_id, phase, type, ts, level, message,
                              payload, source)
  select v_tenants[array_position(v_runs, e.run_id)], e.run_id,
         v_first_seqs[array_position(v_runs, e.run_id)]
           + row_number() over (partition by e.run_id order by e.o1, e.o2, e.o3),
         ops.uuid_v7(), e.phase, e.type, clock_timestamp(), 'info', e.message, e.payload, 'server'
    from (select 0 as o1, 0::bigint as o2, 0 as o3, s.run_id, null::text as phase,
                 'RUN_STARTED' as type, 'run started' as message, '{}'::jsonb as payload
            from unnest(v_started) as s(run_id)
          union all
          select 1, c.k, 0, c.run_id, c.name, 'PHASE_CLAIMED',
                 format('attempt %s claimed by %s', c.attempt, p_executor_id),
                 jsonb_build_object(
                   'attempt', c.attempt,
                   'executor_id', p_executor_id,
                   'expires_at', ops.ts(c.expires),
                   'wait_ms', round(extract(epoch from now() - c.since) * 1000))
            from unnest(v_run_ids, v_attempts, v_names, v_expires, v_since)
                 with ordinality as c(run_id, attempt, name, expires, since, k)
          union all
          -- The same event the first heartbeat writes.
          select 1, c.k, 1, c.run_id, c.name, 'PHASE_STARTED',
                 format('attempt %s started', c.attempt),
                 jsonb_build_object('attempt', c.attempt, 'executor_id', p_executor_id)
            from unnest(v_run_ids, v_attempts, v_names) with ordinality as c(run_id, attempt, name, k)
           where p_start) as e
   order by e.run_id, e.o1, e.o2, e.o3;
  perform pg_notify('controlroom_ops_events', r::text) from unnest(v_runs) as r;
  -- The leases, in claim order: ops.lease_json's shape, from the rows written above. A
  -- phase's upstream outputs are read by key, one probe per dependency.
  return (
    select jsonb_agg(jsonb_build_object(
             'lease_token', c.token,
             'run_id', c.run_id,
             'phase', c.name,
             'attempt', c.attempt,
             'expires_at', ops.ts(c.expires),
             -- A third of the lease leaves room for two lost heartbeats before it expires.
             'heartbeat_interval_ms', greatest(1, (v_lease_seconds * 1000) / 3),
             'started', p_start,
             'spec_slug', v_spec_slugs[array_position(v_runs, c.run_id)],
             'git_sha', v_git_shas[array_position(v_runs, c.run_id)],
             'environment', v_environments[array_position(v_runs, c.run_id)],
             'input_manifest', v_input_manifests[array_position(v_runs, c.run_id)],
             'phase_spec', ops.phase_spec_json(v_phases[c.k]),
             'upstream_outputs', coalesce((select jsonb_object_agg(u.name, u.output)
                                             from ops.phases u
                                            where u.run_id = c.run_id
                                              and u.name = any ((v_phases[c.k]).depends_on)),
                                          '{}'::jsonb))
           order by c.k)
      from unnest(v_run_ids, v_names, v_attempts, v_tokens, v_expires)
           with ordinality as c(run_id, name, attempt, token, expires, k));
end
$$;

-- As 0012's: applies several completes in one transaction, each as ops.complete_phase
-- would, and answers one result per item, in the items' order. Successes on live leases
-- are applied together; everything else goes through ops.complete_phase one by one
-- afterwards.
create or replace function ops.complete_phases(p_items jsonb) returns jsonb
language plpgsql
set enable_seqscan = off
set plan_cache_mode = force_generic_plan as $$
declare
  v_tenant text := ops.require_role('executor', 'admin');
  v_count int;
  v_results jsonb[];
  v_item record;
  v_ords int[];
  v_run_ids uuid[];
  v_tokens text[];
  v_names text[];
  v_outputs jsonb[];
  v_manifests jsonb[];
  v_attempts int[];
  v_claimed_by text[];
  v_phase_rows tid[];
  v_token text;
  v_runs uuid[];
  v_live_runs uuid[];
  v_open_runs uuid[];
  v_ended_runs uuid[];
  v_counts int[];
  v_first_seqs bigint[];
  v_tenants text[];
  v_statuses text[];
  v_reasons text[];
  v_runnable boolean;
  v_ending jsonb;
  v_result jsonb;
begin
  if jsonb_typeof(p_items) is distinct from 'array' or jsonb_array_length(p_items) = 0
     or jsonb_array_length(p_items) > 100 then
    raise exception 'completions must be an array of 1 to 100 items' using errcode = 'OP400';
  end if;
  v_count := jsonb_array_length(p_items);
  v_results := array_fill(null::jsonb, array[v_count]);

  -- The happy path: a success on a live lease. Its phase rows are locked in (run_id,
  -- lease_token) order, the order every batch uses; a token given twice is taken once
  -- (its repeat is answered below as a repeat).
  select coalesce(array_agg(f.ord order by f.run_id, f.lease_token), '{}'),
         array_agg(f.run_id order by f.run_id, f.lease_token),
         array_agg(f.lease_token order by f.run_id, f.lease_token),
         array_agg(p.name order by f.run_id, f.lease_token),
         array_agg(f.output order by f.run_id, f.lease_token),
         array_agg(f.output_manifest order by f.run_id, f.lease_token),
         array_agg(p.attempt order by f.run_id, f.lease_token),
         array_agg(p.claimed_by order by f.run_id, f.lease_token),
         array_agg(p.ctid)
    into v_ords, v_run_ids, v_tokens, v_names, v_outputs, v_manifests, v_attempts, v_claimed_by,
         v_phase_rows
    from (select * from (
          select distinct on (i.value ->> 'lease_token')
                 i.ordinality::int as ord, (i.value ->> 'run_id')::uuid as run_id,
                 i.value ->> 'lease_token' as lease_token,
                 nullif(i.value -> 'output', 'null'::jsonb) as output,
                 nullif(i.value -> 'output_manifest', 'null'::jsonb) as output_manifest
            from jsonb_array_elements(p_items) with ordinality as i
           where i.value ->> 'status' = 'succeeded'
           order by i.value ->> 'lease_token', i.ordinality) as d
     order by d.run_id, d.lease_token) as f
    cross join lateral (
      select q.ctid, q.name, q.attempt, q.claimed_by
        from ops.phases q
       where q.lease_token = f.lease_token and q.run_id = f.run_id
         and q.status in ('claimed', 'running') and q.lease_expires_at > now()
       for update) as p;

  if cardinality(v_ords) > 0 then
    update ops.phases p
       set status = 'succeeded', output = v_outputs[array_position(v_tokens, p.lease_token)],
           output_manifest = v_manifests[array_position(v_tokens, p.lease_token)],
           lease_token = null, lease_expires_at = null, finished_at = now()
     where p.ctid = any (v_phase_rows);
    -- One statement per attempt, by its key (see 0012).
    foreach v_token in array v_tokens loop
      update ops.phase_attempts set finished_at = now(), outcome = 'succeeded'
       where lease_token = v_token;
    end loop;

    -- The runs, locked in run_id order (the lock order), with what decides their fate:
    -- a cancelled run promotes nothing, and only a run not yet ended can end.
    select array_agg(l.run_id order by l.run_id),
           coalesce(array_agg(l.run_id order by l.run_id) filter (where not l.cancel_requested), '{}'),
           coalesce(array_agg(l.run_id order by l.run_id)
                      filter (where l.status not in ('succeeded', 'failed', 'cancelled')), '{}')
      into v_runs, v_live_runs, v_open_runs
      from (select r.run_id, r.cancel_requested, r.status from ops.runs r
             where r.run_id = any (v_run_ids) order by r.run_id for update) as l;
    -- The dependants they unblock (as ops._promote_dependants).
    with promoted as (
      update ops.phases p
         set status = 'runnable', runnable_since = now(), next_attempt_at = null
       where p.run_id = any (v_live_runs)
         and p.status = 'pending'
         and not exists (
           select 1 from unnest(p.depends_on) as d(name)
            where not exists (select 1 from ops.phases q
                               where q.run_id = p.run_id and q.name = d.name
                                 and q.status = 'succeeded'))
      returning p.run_id
    )
    select count(*) > 0 into v_runnable from promoted;

    -- Which runs end, and how (as ops._finalize_run): every phase settled; succeeded if
    -- all did, failed if any failed, cancelled otherwise.
    select coalesce(jsonb_object_agg(t.run_id::text, jsonb_build_object(
             'status', case when t.all_succeeded then 'succeeded'
                            when cardinality(t.failed) > 0 then 'failed'
                            else 'cancelled' end,
             'failed', t.failed, 'manifests', t.manifests)) filter (where t.open = 0), '{}'::jsonb)
      into v_ending
      from (select q.run_id,
                   count(*) filter (where q.status not in ('succeeded', 'failed', 'cancelled', 'skipped')) as open,
                   coalesce(array_agg(q.name order by q.ordinal) filter (where q.status = 'failed'), '{}') as failed,
                   bool_and(q.status = 'succeeded') as all_succeeded,
                   jsonb_object_agg(q.name, q.output_manifest order by q.ordinal) as manifests
              from ops.phases q
             where q.run_id = any (v_runs)
             group by q.run_id) as t;
    select coalesce(array_agg(o.run_id), '{}') into v_ended_runs
      from unnest(v_open_runs) as o(run_id)
     where v_ending ? o.run_id::text;
    -- Each run's events: a PHASE_SUCCEEDED per phase, then its end if it ends.
    select array_agg((select count(*) from unnest(v_run_ids) as c(run_id) where c.run_id = r.id)
                     + (r.id = any (v_ended_runs))::int
                     order by r.ord)
      into v_counts
      from unnest(v_runs) with ordinality as r(id, ord);
    -- One update per run: its end, if it ends, and its event seqs reserved.
    with settled as (
      update ops.runs r
         set status = case when r.run_id = any (v_ended_runs)
                           then v_ending -> r.run_id::text ->> 'status' else r.status end,
             finished_at = case when r.run_id = any (v_ended_runs) then now() else r.finished_at end,
             output_manifest = case when r.run_id = any (v_ended_runs)
                                    then jsonb_build_object('phases', v_ending -> r.run_id::text -> 'manifests')
                                    else r.output_manifest end,
             event_seq = r.event_seq + v_counts[array_position(v_runs, r.run_id)]
       where r.run_id = any (v_runs)
      returning r.run_id, r.tenant_id, r.status, r.cancel_reason,
                r.event_seq - v_counts[array_position(v_runs, r.run_id)] as first_seq
    )
    select array_agg(s.first_seq order by s.run_id), array_agg(s.tenant_id order by s.run_id),
           array_agg(s.status order by s.run_id), array_agg(s.cancel_reason order by s.run_id)
      into v_first_seqs, v_tenants, v_statuses, v_reasons
      from settled as s;
    if v_runnable then
      perform pg_notify('controlroom_ops_runnable', '');
    end if;
    insert into ops.run_events (tenant_id, run_id, seq, event_id, phase, type, ts, level, message,
                                payload, source)
    select v_tenants[array_position(v_runs, e.run_id)], e.run_id,
           v_first_seqs[array_position(v_runs, e.run_id)]
             + row_number() over (partition by e.run_id order by e.o1, e.o2),
           ops.uuid_v7(), e.phase, e.type, clock_timestamp(), e.level, e.message, e.payload,
           'server'
      from (select 0 as o1, c.k as o2, c.run_id, c.name as phase, 'PHASE_SUCCEEDED' as type,
                   'info' as level, format('attempt %s succeeded', c.attempt) as message,
                   jsonb_strip_nulls(jsonb_build_object(
                     'attempt', c.attempt,
                     'executor_id', c.claimed_by,
                     'output_manifest', c.manifest)) as payload
              from unnest(v_run_ids, v_names, v_attempts, v_claimed_by, v_manifests)
                   with ordinality as c(run_id, name, attempt, claimed_by, manifest, k)
            union all
            select 1, 0, x.run_id, null,
                   case x.status when 'succeeded' then 'RUN_SUCCEEDED'
                                 when 'failed' then 'RUN_FAILED' else 'RUN_CANCELLED' end,
                   case x.status when 'failed' then 'error'
                                 when 'cancelled' then 'warn' else 'info' end,
                   format('run %s', x.status),
                   jsonb_strip_nulls(jsonb_build_object(
                     'status', x.status,
                     'failed_phases', nullif(v_ending -> x.run_id::text -> 'failed', '[]'::jsonb),
                     'reason', x.reason))
              from unnest(v_runs, v_statuses, v_reasons) as x(run_id, status, reason)
             where x.run_id = any (v_ended_runs)) as e
     order by e.run_id, e.o1, e.o2;
    perform pg_notify('controlroom_ops_events', r::text) from unnest(v_runs) as r;

    -- On this path a phase becomes claimable only by promotion, counted above.
    for i in 1 .. cardinality(v_ords) loop
      v_results[v_ords[i]] := jsonb_build_object(
        'outcome', 'completed', 'run_id', v_run_ids[i], 'lease_token', v_tokens[i],
        'phase', v_names[i], 'run_status', v_statuses[array_position(v_runs, v_run_ids[i])],
        'runnable', v_runnable);
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
