-- Batch claims and completions as set-based statements: each step of a batch is one
-- statement over the whole batch (arrays of keys joined to the tables), where 0010 ran
-- the same statements once per phase and per run in a loop and gathered JSON with
-- `jsonb ||` (quadratic in the batch). The rows, events, seqs and answers are the same
-- as 0010's; only the number of statements a batch costs changes, from a few per phase to
-- a few per batch.
--
-- 0010 looped because a join of a batch to a table, planned on a new database (no
-- statistics), came out as a scan of the whole table and stayed one. So no statement here
-- joins a batch to a table: a batch reaches its rows as `key = any (array)` on a unique
-- index (or by the ctids of rows it has just locked), each row's own values are looked up
-- in the batch's arrays by array_position (at most 100 entries), and rows reached from
-- other rows are read in a LATERAL subquery behind OFFSET 0, which the planner cannot turn
-- into a join: an index probe per row, whatever the statistics say.

-- Lock order is unchanged: phases first, then runs in run_id order. A statement that locks
-- several rows takes them in its ORDER BY (FOR UPDATE locks rows as they leave the sort).

-- The lease JSON of several attempts at once, in the order given: the one definition of a
-- lease's shape (ops.lease_json below now reads it for a single token).
create or replace function ops.leases_json(p_tokens text[]) returns jsonb
language plpgsql stable set enable_seqscan = off as $$
begin
  -- PL/pgSQL rather than SQL: it keeps its plan from call to call.
  return (
    select coalesce(jsonb_agg(jsonb_build_object(
             'lease_token', a.lease_token,
             'run_id', a.run_id,
             'phase', a.phase,
             'attempt', a.attempt,
             'expires_at', ops.ts(a.expires_at),
             -- A third of the lease leaves room for two lost heartbeats before it expires.
             'heartbeat_interval_ms', greatest(1, (a.lease_seconds * 1000) / 3),
             'started', a.started_at is not null,
             'spec_slug', (r.r).spec_slug,
             'git_sha', (r.r).git_sha,
             'environment', (r.r).environment,
             'input_manifest', (r.r).input_manifest,
             'phase_spec', ops.phase_spec_json(p.p),
             'upstream_outputs', coalesce((select jsonb_object_agg(u.name, u.output)
                                             from ops.phases u
                                            where u.run_id = a.run_id
                                              and u.name = any ((p.p).depends_on)),
                                          '{}'::jsonb))
             order by t.k), '[]'::jsonb)
      from unnest(p_tokens) with ordinality as t(token, k)
      cross join lateral (select q from ops.phase_attempts q
                           where q.lease_token = t.token offset 0) as x(a)
      cross join lateral (select (x.a).*) as a
      cross join lateral (select q from ops.phases q
                           where q.run_id = a.run_id and q.name = a.phase offset 0) as p(p)
      cross join lateral (select q from ops.runs q where q.run_id = a.run_id offset 0) as r(r));
end
$$;

create or replace function ops.lease_json(p_lease_token text) returns jsonb
language sql stable as $$
  select ops.leases_json(array[p_lease_token]) -> 0
$$;

-- Appends server-written events of several runs (`p_events`: a JSON array of
-- { run_id, phase, type, level, message, payload }), as 0010's did: each run's events take
-- consecutive gap-free seqs in the order given. The caller holds the runs' row locks, so
-- the one UPDATE of their seqs waits for nobody, whatever order it visits them in.
create or replace function ops._emit_run_events(p_events jsonb) returns void
language plpgsql set enable_seqscan = off as $$
declare
  v_runs uuid[];
  v_counts bigint[];
begin
  if p_events is null or jsonb_array_length(p_events) = 0 then
    return;
  end if;
  select array_agg(c.run_id), array_agg(c.n) into v_runs, v_counts
    from (select (x ->> 'run_id')::uuid as run_id, count(*) as n
            from jsonb_array_elements(p_events) as x group by 1) as c;
  with bumped as (
    update ops.runs r set event_seq = r.event_seq + v_counts[array_position(v_runs, r.run_id)]
     where r.run_id = any (v_runs)
    returning r.run_id, r.tenant_id, r.event_seq - v_counts[array_position(v_runs, r.run_id)] as first_seq
  ), e as (
    select (x.value ->> 'run_id')::uuid as run_id, x.value, x.ordinality as ord
      from jsonb_array_elements(p_events) with ordinality as x
  )
  insert into ops.run_events (tenant_id, run_id, seq, event_id, phase, type, ts, level, message,
                              payload, source)
  select b.tenant_id, e.run_id,
         b.first_seq + row_number() over (partition by e.run_id order by e.ord),
         ops.uuid_v7(), e.value ->> 'phase', e.value ->> 'type', clock_timestamp(),
         e.value ->> 'level', coalesce(e.value ->> 'message', ''),
         coalesce(e.value -> 'payload', '{}'::jsonb), 'server'
    from e join bumped b on b.run_id = e.run_id
   order by e.ord;
  perform pg_notify('controlroom_ops_events', r::text) from unnest(v_runs) as r;
end
$$;

-- As 0010's: claims up to p_max of the oldest runnable phases across the caller's runs, a
-- JSON array of leases, oldest first (empty when nothing is runnable); the k-th lease of a
-- batch records a request id derived from p_request_id, so a repeat returns the same
-- leases and never claims more.
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
set enable_seqscan = off as $$
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
  v_started uuid[];
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
              p.runnable_since
  )
  select array_agg(l.run_id order by l.runnable_since, l.run_id, l.ordinal),
         array_agg(l.name order by l.runnable_since, l.run_id, l.ordinal),
         array_agg(l.attempt order by l.runnable_since, l.run_id, l.ordinal),
         array_agg(l.lease_token order by l.runnable_since, l.run_id, l.ordinal),
         array_agg(l.lease_expires_at order by l.runnable_since, l.run_id, l.ordinal),
         array_agg(l.runnable_since order by l.runnable_since, l.run_id, l.ordinal)
    into v_run_ids, v_names, v_attempts, v_tokens, v_expires, v_since
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

  -- The runs' row locks, in run_id order; the first claim of a queued run starts it.
  perform 1 from ops.runs where run_id = any (v_run_ids) order by run_id for update;
  with started as (
    update ops.runs set status = 'running', started_at = now()
     where run_id = any (v_run_ids) and status = 'queued'
    returning run_id
  )
  select coalesce(array_agg(run_id), '{}') into v_started from started;
  -- RUN_STARTED goes before the run's other events.
  perform ops._emit_run_events(
    (select jsonb_agg(e.event order by e.o1, e.o2, e.o3)
       from (select 0 as o1, 0::bigint as o2, 0 as o3,
                    jsonb_build_object('run_id', s.run_id, 'phase', null, 'type', 'RUN_STARTED',
                                       'level', 'info', 'message', 'run started') as event
               from unnest(v_started) as s(run_id)
             union all
             select 1, c.k, x.n, x.event
               from unnest(v_run_ids, v_names, v_attempts, v_expires, v_since)
                    with ordinality as c(run_id, name, attempt, expires, since, k)
               cross join lateral (
                 select 0 as n, jsonb_build_object(
                   'run_id', c.run_id, 'phase', c.name, 'type', 'PHASE_CLAIMED', 'level', 'info',
                   'message', format('attempt %s claimed by %s', c.attempt, p_executor_id),
                   'payload', jsonb_build_object(
                     'attempt', c.attempt,
                     'executor_id', p_executor_id,
                     'expires_at', ops.ts(c.expires),
                     'wait_ms', round(extract(epoch from now() - c.since) * 1000))) as event
                 union all
                 -- The same event the first heartbeat writes.
                 select 1, jsonb_build_object(
                   'run_id', c.run_id, 'phase', c.name, 'type', 'PHASE_STARTED', 'level', 'info',
                   'message', format('attempt %s started', c.attempt),
                   'payload', jsonb_build_object('attempt', c.attempt,
                                                 'executor_id', p_executor_id))
                  where p_start) as x) as e));
  return ops.leases_json(v_tokens);
end
$$;

-- As 0010's: applies several completes (`p_items`: a JSON array of { run_id, lease_token,
-- status, output?, output_manifest?, error? }) in one transaction, each as
-- ops.complete_phase would, and answers one result per item, in the items' order:
-- { outcome: 'completed', run_id, lease_token, phase, run_status, runnable } or
-- { outcome: 'rejected', run_id, lease_token, sqlstate, message }.
--
-- Successes on live leases, the bulk of any batch, are applied together: their phases and
-- attempts, then the dependants they unblock and the runs they end, then every event in
-- one insert. Anything else goes through ops.complete_phase one by one afterwards, so
-- within one run a success may be recorded before a failure listed ahead of it; the end
-- state is the same either way (a phase's fate does not depend on its siblings').
create or replace function ops.complete_phases(p_items jsonb) returns jsonb
language plpgsql
set enable_seqscan = off as $$
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
  v_runnable boolean;
  v_ending jsonb;
  v_ended jsonb;
  v_run_status jsonb;
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
    -- One statement per attempt, by its key: a set of attempts by ctid (or by `lease_token =
    -- any`) is planned on a new database as a walk over the tenant's attempts, through the
    -- index whose second column is tenant_id, and no other plan shape rules that out.
    foreach v_token in array v_tokens loop
      update ops.phase_attempts set finished_at = now(), outcome = 'succeeded'
       where lease_token = v_token;
    end loop;

    -- The runs, locked in run_id order (the lock order); then the dependants they unblock
    -- (as ops._promote_dependants) and the runs that end (as ops._finalize_run).
    select array_agg(l.run_id order by l.run_id),
           coalesce(array_agg(l.run_id order by l.run_id) filter (where not l.cancel_requested), '{}')
      into v_runs, v_live_runs
      from (select r.run_id, r.cancel_requested from ops.runs r
             where r.run_id = any (v_run_ids) order by r.run_id for update) as l;
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

    -- Which runs end, and how: every phase settled; succeeded if all did, failed if any
    -- failed, cancelled otherwise.
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
    with ended as (
      update ops.runs r
         set status = v_ending -> r.run_id::text ->> 'status', finished_at = now(),
             output_manifest = jsonb_build_object('phases', v_ending -> r.run_id::text -> 'manifests')
       where r.run_id = any (array(select jsonb_object_keys(v_ending)::uuid))
         and r.status not in ('succeeded', 'failed', 'cancelled')
      returning r.run_id, r.status, r.cancel_reason
    )
    select coalesce(jsonb_agg(jsonb_build_object(
             'run_id', e.run_id, 'phase', null,
             'type', case e.status when 'succeeded' then 'RUN_SUCCEEDED'
                                   when 'failed' then 'RUN_FAILED' else 'RUN_CANCELLED' end,
             'level', case e.status when 'failed' then 'error'
                                    when 'cancelled' then 'warn' else 'info' end,
             'message', format('run %s', e.status),
             'payload', jsonb_strip_nulls(jsonb_build_object(
               'status', e.status,
               'failed_phases', nullif(v_ending -> e.run_id::text -> 'failed', '[]'::jsonb),
               'reason', e.cancel_reason))) order by e.run_id), '[]'::jsonb)
      into v_ended
      from ended as e;
    -- A run's status after the batch (the update above is visible to this statement).
    select jsonb_object_agg(r.run_id::text, r.status) into v_run_status
      from ops.runs r where r.run_id = any (v_runs);
    if v_runnable then
      perform pg_notify('controlroom_ops_runnable', '');
    end if;
    -- Each run's phase events, then its end.
    perform ops._emit_run_events(
      (select jsonb_agg(e order by o1, o2)
         from (select 0 as o1, c.k as o2, jsonb_build_object(
                        'run_id', c.run_id, 'phase', c.name, 'type', 'PHASE_SUCCEEDED',
                        'level', 'info', 'message', format('attempt %s succeeded', c.attempt),
                        'payload', jsonb_strip_nulls(jsonb_build_object(
                          'attempt', c.attempt,
                          'executor_id', c.claimed_by,
                          'output_manifest', c.manifest))) as e
                 from unnest(v_run_ids, v_names, v_attempts, v_claimed_by, v_manifests)
                      with ordinality as c(run_id, name, attempt, claimed_by, manifest, k)
               union all
               select 1, x.ordinality, x.value
                 from jsonb_array_elements(v_ended) with ordinality as x) as a));

    -- On this path a phase becomes claimable only by promotion, counted above.
    for i in 1 .. cardinality(v_ords) loop
      v_results[v_ords[i]] := jsonb_build_object(
        'outcome', 'completed', 'run_id', v_run_ids[i], 'lease_token', v_tokens[i],
        'phase', v_names[i], 'run_status', v_run_status ->> v_run_ids[i]::text,
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
