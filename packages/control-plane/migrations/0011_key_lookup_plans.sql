-- Key lookups planned as key lookups, from the first call on a new database.
--
-- PL/pgSQL keeps one plan per statement per connection, made after a few calls from the
-- statistics of that moment. On a new database there are none, and under RLS a lookup
-- such as `update ops.phase_attempts ... where lease_token = $1` has two indexes to
-- choose from that look equally cheap: the primary key (one row), and the unique index
-- on (tenant_id, request_id), which also serves the policy's `tenant_id = ...` and so
-- saves a filter. The planner took the second, which reads every attempt of the tenant,
-- and kept it until an ANALYZE (autovacuum looks once a minute): on the benchmark's
-- fresh databases about 1,400 buffer reads per complete where the key takes 3. With
-- request_id first, that index serves the claims' request_id lookups as before and no
-- longer matches the policy alone.
alter table ops.phase_attempts drop constraint phase_attempts_tenant_id_request_id_key;
alter table ops.phase_attempts
  add constraint phase_attempts_request_id_tenant_id_key unique (request_id, tenant_id);
-- The run row, read and written several times per phase, had the same choice: its key,
-- or runs_tenant_newest (kept for listing a tenant's runs newest first), which matches
-- the policy and then walks every run of the tenant to find run_id. An index on the key
-- that also carries the tenant matches both and is the cheaper one at any size. Updates
-- of a run touch neither column, so they stay HOT and never write to it.
create unique index runs_key_and_tenant on ops.runs (run_id, tenant_id);
-- That leaves joins: a run reached from its phase (`join ops.runs r on r.run_id =
-- p.run_id`) could still be found by walking runs_tenant_newest from the policy's
-- tenant. That index serves only ops.list_runs, so it becomes partial on a predicate
-- that no policy implies and ops.list_runs states, and nothing else can use it.
drop index ops.runs_tenant_newest;
create index runs_tenant_newest on ops.runs (tenant_id, created_at desc, run_id desc)
  where created_at > '-infinity';

-- As in 0005, with the index's predicate.
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
             -- The predicate of runs_tenant_newest, which only this query may use.
             and created_at > '-infinity'
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

-- And no sequential scans in the executor's calls: a plan made while a table held a page
-- or two reads it whole, cheaper then, and goes on doing so as it grows until the next
-- ANALYZE. Every statement these functions run, their helpers' included, reaches its
-- rows by a key, where an index probe is never much worse than reading a small table.
alter function ops.create_run(jsonb, text) set enable_seqscan = off;
alter function ops.claim_phase(uuid, text, text[], text[], uuid, int, boolean)
  set enable_seqscan = off;
alter function ops.claim_phases(text, text[], text[], uuid, int, boolean, int)
  set enable_seqscan = off;
alter function ops.heartbeat(uuid, text, jsonb) set enable_seqscan = off;
alter function ops.append_events(uuid, jsonb) set enable_seqscan = off;
alter function ops.register_artifact(jsonb) set enable_seqscan = off;
alter function ops.complete_phase(uuid, text, text, jsonb, jsonb, jsonb) set enable_seqscan = off;
alter function ops.complete_phases(jsonb) set enable_seqscan = off;
