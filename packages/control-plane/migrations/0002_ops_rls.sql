-- Row-level security: every ops row belongs to one tenant, read from the JWT claims the
-- way Supabase exposes them (`request.jwt.claims`, set per transaction).

create or replace function ops.jwt_claims() returns jsonb
language sql stable as $$
  select coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb, '{}'::jsonb)
$$;

create or replace function ops.current_tenant() returns text
language sql stable as $$
  select nullif(ops.jwt_claims() ->> 'tenant_id', '')
$$;

-- The Control Room role claim (viewer | executor | operator | admin).
create or replace function ops.claim_role() returns text
language sql stable as $$
  select ops.jwt_claims() ->> 'role'
$$;

-- Returns the caller's tenant when its role is one of `allowed`; raises OP403 (forbidden)
-- otherwise. State-changing functions call it first, so a viewer cannot claim or create.
create or replace function ops.require_role(variadic allowed text[]) returns text
language plpgsql stable as $$
declare
  v_tenant text := ops.current_tenant();
  v_role text := ops.claim_role();
begin
  if v_tenant is null then
    raise exception 'request.jwt.claims carries no tenant_id' using errcode = 'OP403';
  end if;
  if v_role is null or not (v_role = any (allowed)) then
    raise exception 'role % may not do this (needs one of %)', coalesce(v_role, '(none)'),
      array_to_string(allowed, ', ') using errcode = 'OP403';
  end if;
  return v_tenant;
end
$$;

grant usage on schema ops to authenticated, service_role;

do $$
declare
  v_table text;
  v_owner text := current_user;
begin
  foreach v_table in array array['runs', 'phases', 'phase_attempts', 'run_events', 'artifacts',
                                 'run_artifacts', 'connections', 'secrets_refs',
                                 'idempotency_keys']
  loop
    execute format('alter table ops.%I enable row level security', v_table);
    -- FORCE: a non-superuser owner would otherwise bypass every policy below.
    execute format('alter table ops.%I force row level security', v_table);

    execute format(
      'create policy tenant_read on ops.%I for select to authenticated
         using (tenant_id = (select ops.current_tenant()))', v_table);
    -- Viewers never write, not even through direct SQL.
    execute format(
      'create policy tenant_insert on ops.%I for insert to authenticated
         with check (tenant_id = (select ops.current_tenant())
                     and (select ops.claim_role()) in (''executor'', ''operator'', ''admin''))',
      v_table);
    execute format(
      'create policy tenant_update on ops.%I for update to authenticated
         using (tenant_id = (select ops.current_tenant())
                and (select ops.claim_role()) in (''executor'', ''operator'', ''admin''))
         with check (tenant_id = (select ops.current_tenant()))', v_table);
    -- The owner acts across tenants (reaper, metrics, migrations) only when no caller
    -- claims are set: a request that forgot SET ROLE still stays inside its tenant.
    execute format(
      'create policy owner_system on ops.%I for all to %I
         using ((select ops.jwt_claims()) = ''{}''::jsonb)
         with check ((select ops.jwt_claims()) = ''{}''::jsonb)', v_table, v_owner);
    execute format(
      'create policy owner_tenant on ops.%I for all to %I
         using (tenant_id = (select ops.current_tenant()))
         with check (tenant_id = (select ops.current_tenant()))', v_table, v_owner);
  end loop;
end
$$;

-- Append-only and immutable tables get no UPDATE; nothing gets DELETE.
grant select, insert, update on ops.runs, ops.phases, ops.phase_attempts to authenticated;
grant select, insert on ops.run_events, ops.artifacts, ops.run_artifacts, ops.idempotency_keys
  to authenticated;
grant select on ops.connections, ops.secrets_refs to authenticated;
-- anon sees nothing at all.
revoke all on all tables in schema ops from anon;
