-- A completion carries its attempt's last events (POST /ops/completions' `events`).
--
-- A worker used to send a phase's last events in a request of their own just before its
-- complete: with three LOG events per no-op phase, that POST (an ops.append_events call:
-- its own transaction, run lock and seq update) cost about 410 µs of Postgres CPU per
-- phase, more than the rest of the phase's claim and complete together (about 380 µs,
-- measured at the SQL level, batches of 64). Here ops.complete_phases appends them:
--
-- - On the batch path (a success on a live lease) they go in with the server's events,
--   each phase's own before its PHASE_SUCCEEDED, in the run's one seq reservation; an
--   event_id the run already has (a resend), or that the batch repeats, is counted as a
--   duplicate, as ops.append_events counts it.
-- - Any other completion appends them with ops.append_events before ops.complete_phase,
--   outside the block that turns a refusal into a rejected result, so that a lost lease
--   still keeps what its attempt logged. Its phase row is locked first (then the run, as
--   ops.append_events does): phase before run is the order every batch locks in.
-- - A result says what became of the completion's events (`events`: accepted and
--   duplicates) when it carried some and they were appended: a worker tells from its
--   absence on a completed result that the server ignored them (an older one).
--
-- Everything else is 0015's, including its SET clauses (create or replace sets them anew).

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
  v_events jsonb[];
  v_accepted int[];
  v_given int[];
  v_ack jsonb;
  v_event_runs uuid[];
  v_event_ks int[];
  v_event_ords bigint[];
  v_event_bodies jsonb[];
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
         array_agg(p.ctid),
         array_agg(f.events order by f.run_id, f.lease_token)
    into v_ords, v_run_ids, v_tokens, v_names, v_outputs, v_manifests, v_attempts, v_claimed_by,
         v_phase_rows, v_events
    from (select * from (
          select distinct on (i.value ->> 'lease_token')
                 i.ordinality::int as ord, (i.value ->> 'run_id')::uuid as run_id,
                 i.value ->> 'lease_token' as lease_token,
                 nullif(i.value -> 'output', 'null'::jsonb) as output,
                 nullif(i.value -> 'output_manifest', 'null'::jsonb) as output_manifest,
                 case when jsonb_typeof(i.value -> 'events') = 'array' then i.value -> 'events' end
                   as events
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
    -- The completions' own events: each event_id's first occurrence for its run, unless
    -- the run has it already (a resend). The runs are locked, so this is exact.
    select coalesce(array_agg(f.run_id order by f.k, f.ord), '{}'),
           coalesce(array_agg(f.k order by f.k, f.ord), '{}'),
           coalesce(array_agg(f.ord order by f.k, f.ord), '{}'),
           coalesce(array_agg(f.event order by f.k, f.ord), '{}')
      into v_event_runs, v_event_ks, v_event_ords, v_event_bodies
      from (select distinct on (c.run_id, (e.event ->> 'event_id')::uuid)
                   c.run_id, c.k::int as k, e.ord, e.event
              from unnest(v_run_ids, v_events) with ordinality as c(run_id, events, k)
                   cross join lateral jsonb_array_elements(c.events) with ordinality as e(event, ord)
             where c.events is not null
             order by c.run_id, (e.event ->> 'event_id')::uuid, c.k, e.ord) as f
     -- A probe of the (run_id, event_id) key per event. As `not exists` the planner may
     -- make it an anti-join, which on a generic plan read the whole index (5 ms a
     -- call); a scalar subquery stays a probe.
     where (select true from ops.run_events x
             where x.run_id = f.run_id
               and x.event_id = (f.event ->> 'event_id')::uuid) is null;
    select array_agg(coalesce(n.count, 0)::int order by c.k),
           array_agg(coalesce(jsonb_array_length(c.events), 0) order by c.k)
      into v_accepted, v_given
      from unnest(v_events) with ordinality as c(events, k)
      left join (select e.k, count(*) as count from unnest(v_event_ks) as e(k) group by e.k) as n
        on n.k = c.k;
    -- Each run's events: per phase, its own then PHASE_SUCCEEDED; then the run's end if
    -- it ends.
    select array_agg((select count(*) from unnest(v_run_ids) as c(run_id) where c.run_id = r.id)
                     + coalesce(n.count, 0)
                     + (r.id = any (v_ended_runs))::int
                     order by r.ord)
      into v_counts
      from unnest(v_runs) with ordinality as r(id, ord)
      left join (select e.run_id, count(*) as count from unnest(v_event_runs) as e(run_id)
                  group by e.run_id) as n
        on n.run_id = r.id;
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
             + row_number() over (partition by e.run_id order by e.o1, e.o2, e.o3, e.o4),
           coalesce(e.event_id, ops.uuid_v7()), e.phase, e.type, coalesce(e.ts, clock_timestamp()),
           e.level, e.message, e.payload, e.source
      from (select 0 as o1, x.k::bigint as o2, 0 as o3, x.ord as o4, x.run_id,
                   (x.event ->> 'event_id')::uuid as event_id, x.event ->> 'phase' as phase,
                   x.event ->> 'type' as type, (x.event ->> 'ts')::timestamptz as ts,
                   coalesce(x.event ->> 'level', 'info') as level,
                   coalesce(x.event ->> 'message', '') as message,
                   coalesce(x.event -> 'payload', '{}'::jsonb) as payload, 'client' as source
              from unnest(v_event_runs, v_event_ks, v_event_ords, v_event_bodies)
                   as x(run_id, k, ord, event)
            union all
            select 0, c.k, 1, 0, c.run_id, null::uuid, c.name as phase, 'PHASE_SUCCEEDED' as type,
                   null::timestamptz,
                   'info' as level, format('attempt %s succeeded', c.attempt) as message,
                   jsonb_strip_nulls(jsonb_build_object(
                     'attempt', c.attempt,
                     'executor_id', c.claimed_by,
                     'output_manifest', c.manifest)) as payload, 'server'
              from unnest(v_run_ids, v_names, v_attempts, v_claimed_by, v_manifests)
                   with ordinality as c(run_id, name, attempt, claimed_by, manifest, k)
            union all
            select 1, 0, 0, 0, x.run_id, null::uuid, null,
                   case x.status when 'succeeded' then 'RUN_SUCCEEDED'
                                 when 'failed' then 'RUN_FAILED' else 'RUN_CANCELLED' end,
                   null::timestamptz,
                   case x.status when 'failed' then 'error'
                                 when 'cancelled' then 'warn' else 'info' end,
                   format('run %s', x.status),
                   jsonb_strip_nulls(jsonb_build_object(
                     'status', x.status,
                     'failed_phases', nullif(v_ending -> x.run_id::text -> 'failed', '[]'::jsonb),
                     'reason', x.reason)), 'server'
              from unnest(v_runs, v_statuses, v_reasons) as x(run_id, status, reason)
             where x.run_id = any (v_ended_runs)) as e
     order by e.run_id, e.o1, e.o2, e.o3, e.o4;
    perform pg_notify('controlroom_ops_events', r::text) from unnest(v_runs) as r;

    -- On this path a phase becomes claimable only by promotion, counted above.
    for i in 1 .. cardinality(v_ords) loop
      v_results[v_ords[i]] := jsonb_build_object(
        'outcome', 'completed', 'run_id', v_run_ids[i], 'lease_token', v_tokens[i],
        'phase', v_names[i], 'run_status', v_statuses[array_position(v_runs, v_run_ids[i])],
        'runnable', v_runnable);
      if v_events[i] is not null then
        v_results[v_ords[i]] := v_results[v_ords[i]] || jsonb_build_object('events',
          jsonb_build_object('accepted', v_accepted[i], 'duplicates', v_given[i] - v_accepted[i]));
      end if;
    end loop;
  end if;

  -- Everything else, in order, as the single complete would answer it.
  for v_item in
    select i.ordinality::int as ord, i.value as item
      from jsonb_array_elements(p_items) with ordinality as i
     order by i.ordinality
  loop
    continue when v_results[v_item.ord] is not null;
    -- Its events first, kept whatever the complete answers: the phase row is locked
    -- before the run that the append locks, the order every batch takes them in. A run
    -- that cannot be found or read appends nothing; the complete refuses it alike.
    v_ack := null;
    if jsonb_typeof(v_item.item -> 'events') = 'array' then
      begin
        perform 1 from ops.phases p
         where p.lease_token = v_item.item ->> 'lease_token'
           and p.run_id = (v_item.item ->> 'run_id')::uuid
           for update;
        v_ack := ops.append_events((v_item.item ->> 'run_id')::uuid, v_item.item -> 'events');
      exception when sqlstate 'OP404' or sqlstate '42501' or sqlstate '22P02' then
        v_ack := null;
      end;
    end if;
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
                               and q -> 'next_attempt_at' = 'null'::jsonb))
        || jsonb_strip_nulls(jsonb_build_object('events', v_ack));
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
        'message', sqlerrm) || jsonb_strip_nulls(jsonb_build_object('events', v_ack));
    end;
  end loop;
  return to_jsonb(v_results);
end
$$;
