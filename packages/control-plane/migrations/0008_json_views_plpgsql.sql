-- The JSON views that read tables, in PL/pgSQL. As SQL functions with a FROM clause they
-- cannot be inlined, and Postgres parses, rewrites (RLS policies included) and plans
-- their query again in every transaction that calls them: for a lease or a run that was
-- most of the database time of a claim or a complete. PL/pgSQL keeps each query's plan
-- for the session. The documents they return are unchanged.

create or replace function ops.run_json(p_run_id uuid) returns jsonb
language plpgsql stable as $$
begin
  return (
    select jsonb_build_object(
      'run_id', r.run_id,
      'tenant_id', r.tenant_id,
      'spec_slug', r.spec_slug,
      'git_sha', r.git_sha,
      'environment', r.environment,
      'status', r.status,
      'phases', coalesce((select jsonb_agg(ops.phase_json(p) order by p.ordinal)
                          from ops.phases p where p.run_id = r.run_id), '[]'::jsonb),
      'input_manifest', r.input_manifest,
      'output_manifest', r.output_manifest,
      'labels', r.labels,
      'cancel_requested', r.cancel_requested,
      'created_at', ops.ts(r.created_at),
      'started_at', ops.ts(r.started_at),
      'finished_at', ops.ts(r.finished_at))
    from ops.runs r
    where r.run_id = p_run_id);
end
$$;

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

create or replace function ops.artifact_json(p_tenant text, p_sha256 text) returns jsonb
language plpgsql stable as $$
begin
  return (
    select jsonb_build_object(
      'sha256', a.sha256,
      'size_bytes', a.size_bytes,
      'media_type', a.media_type,
      'uri', a.uri,
      'metadata', a.metadata,
      'created_at', ops.ts(a.created_at),
      'links', coalesce((select jsonb_agg(jsonb_build_object(
                                   'run_id', l.run_id,
                                   'phase', l.phase,
                                   'name', l.name,
                                   'created_at', ops.ts(l.created_at))
                                 order by l.created_at, l.run_id, l.name)
                         from ops.run_artifacts l
                         where l.tenant_id = a.tenant_id and l.sha256 = a.sha256), '[]'::jsonb))
    from ops.artifacts a
    where a.tenant_id = p_tenant and a.sha256 = p_sha256);
end
$$;
