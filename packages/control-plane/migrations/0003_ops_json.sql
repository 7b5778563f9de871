-- JSON views of ops rows in the contract's wire shapes (snake_case, RFC 3339 UTC with Z),
-- so every driver and a Supabase RPC return exactly the same documents.

create or replace function ops.phase_spec_json(p ops.phases) returns jsonb
language sql stable as $$
  select jsonb_build_object(
    'name', p.name,
    'kind', p.kind,
    'depends_on', to_jsonb(p.depends_on),
    'timeout_seconds', p.timeout_seconds,
    'retry', jsonb_build_object(
      'max_attempts', p.max_attempts,
      'initial_interval_ms', p.initial_interval_ms,
      'backoff_coefficient', p.backoff_coefficient,
      'max_interval_ms', p.max_interval_ms),
    'requires', to_jsonb(p.requires),
    'params', p.params)
$$;

create or replace function ops.phase_json(p ops.phases) returns jsonb
language sql stable as $$
  select ops.phase_spec_json(p) || jsonb_build_object(
    'status', p.status,
    'attempt', p.attempt,
    'claimed_by', p.claimed_by,
    'lease_expires_at', ops.ts(p.lease_expires_at),
    'next_attempt_at', ops.ts(p.next_attempt_at),
    'last_error', p.last_error,
    'output', p.output,
    'started_at', ops.ts(p.started_at),
    'finished_at', ops.ts(p.finished_at))
$$;

create or replace function ops.run_json(p_run_id uuid) returns jsonb
language sql stable as $$
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
  where r.run_id = p_run_id
$$;

create or replace function ops.lease_json(p_lease_token text) returns jsonb
language sql stable as $$
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
  where a.lease_token = p_lease_token
$$;

create or replace function ops.event_json(e ops.run_events) returns jsonb
language sql stable as $$
  select jsonb_build_object(
    'event_id', e.event_id,
    'run_id', e.run_id,
    'seq', e.seq,
    'phase', e.phase,
    'type', e.type,
    'ts', ops.ts(e.ts),
    'level', e.level,
    'message', e.message,
    'payload', e.payload)
$$;

create or replace function ops.artifact_json(p_tenant text, p_sha256 text) returns jsonb
language sql stable as $$
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
  where a.tenant_id = p_tenant and a.sha256 = p_sha256
$$;
