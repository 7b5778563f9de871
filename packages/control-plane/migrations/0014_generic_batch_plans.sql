-- Two corrections to 0012, from measuring it one batch size at a time.
--
-- 1. Its batch statements are planned generic, always. PL/pgSQL plans a statement for
--    its first five calls with the parameters' values (a custom plan), then keeps the
--    generic plan only if its estimate is close to theirs. For 0012's statements, whose
--    parameters are arrays, the estimates differ (a generic plan assumes ten elements),
--    so Postgres went on planning them afresh on every call: in one session committing
--    each call, a batch of one phase cost 5.6–6.1 ms where 0011's loop took 2.3–2.9 ms.
--    The statements were written to be right under any plan the planner can make for
--    them (see 0012's header), so the generic plan is the one to keep. Forced generic, a
--    batch of one costs what 0011's did and a batch of sixteen 0.8 ms per phase (0011:
--    1.8 ms, 0012 as it was: 0.9 ms). The setting holds for the functions these call.
alter function ops.claim_phases(text, text[], text[], uuid, int, boolean, int)
  set plan_cache_mode = force_generic_plan;
alter function ops.complete_phases(jsonb) set plan_cache_mode = force_generic_plan;
alter function ops._emit_run_events(jsonb) set plan_cache_mode = force_generic_plan;

-- 2. A lease's JSON goes back to its own statement (0009's), and a batch's leases to a
--    loop over it (0010's). 0012 built both from one set-based statement; a single
--    claim or heartbeat then paid a function call with its settings and a LATERAL plan
--    per lease, more than the set-based form saved for a batch (63 µs per lease against
--    54 µs for the loop). As in 0009:
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

-- As in 0010:
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
