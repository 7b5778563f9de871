-- Source freshness for /metrics: the newest SOURCE_FRESHNESS event of every stream of every
-- tenant. Ingest phases append these events with the payload
-- { stream, newest, lag_ms, measured_at } (see @controlroom/adapters/postgres).

-- Only freshness events are indexed, so the index stays small however many other events
-- runs write. In (tenant, stream, ts desc) order the snapshot below visits each stream
-- once and reads its newest report by index descent, instead of scanning every report.
create index run_events_source_freshness
  on ops.run_events (tenant_id, (payload ->> 'stream'), ts desc)
  where type = 'SOURCE_FRESHNESS' and (payload ->> 'stream') is not null;

-- Payloads are the executors' JSON: a timestamp that does not parse must not break /metrics.
create or replace function ops.try_timestamptz(p_text text) returns timestamptz
language plpgsql stable as $$
declare
  v_ts timestamptz;
begin
  v_ts := p_text::timestamptz;
  return case when isfinite(v_ts) then v_ts end;
exception when data_exception then
  return null;
end
$$;

-- The newest report of each (tenant, stream), by event time: the lag it reported in
-- seconds (null when it had none, e.g. an empty stream) and when it was measured, in Unix
-- seconds (the event's own time when `measured_at` is missing or not a timestamp). The
-- recursive part is a loose index scan: one index probe per stream, not one row per report.
create or replace function ops.source_freshness_snapshot() returns jsonb
language sql stable as $$
  with recursive streams (tenant_id, stream) as (
    (select e.tenant_id, e.payload ->> 'stream'
       from ops.run_events e
      where e.type = 'SOURCE_FRESHNESS' and (e.payload ->> 'stream') is not null
      order by e.tenant_id, (e.payload ->> 'stream')
      limit 1)
    union all
    select following.tenant_id, following.stream
      from streams s
      cross join lateral (
        select e.tenant_id, e.payload ->> 'stream' as stream
          from ops.run_events e
         where e.type = 'SOURCE_FRESHNESS' and (e.payload ->> 'stream') is not null
           and (e.tenant_id, (e.payload ->> 'stream')) > (s.tenant_id, s.stream)
         order by e.tenant_id, (e.payload ->> 'stream')
         limit 1) following
  )
  select coalesce(jsonb_agg(jsonb_build_object(
           'tenant_id', s.tenant_id,
           'stream', s.stream,
           -- Clamped before the cast: a number too big for a double must not fail the scrape.
           'lag_seconds', case when jsonb_typeof(latest.payload -> 'lag_ms') = 'number'
                               then least(greatest((latest.payload ->> 'lag_ms')::numeric,
                                                   -1e15), 1e15)::double precision / 1000
                          end,
           'measured_at', extract(epoch from coalesce(
                            ops.try_timestamptz(latest.payload ->> 'measured_at'),
                            latest.ts))::double precision)
         order by s.tenant_id, s.stream), '[]'::jsonb)
    from streams s
    cross join lateral (
      select e.payload, e.ts
        from ops.run_events e
       where e.type = 'SOURCE_FRESHNESS' and (e.payload ->> 'stream') is not null
         and e.tenant_id = s.tenant_id and (e.payload ->> 'stream') = s.stream
       order by e.ts desc
       limit 1) latest
$$;

-- As in 0005, plus `source_freshness`. Counts for /metrics, read by the server as the
-- owner across tenants. The claim-wait histogram is cumulative (Prometheus style) over
-- every claim ever made.
create or replace function ops.metrics_snapshot(p_buckets double precision[]) returns jsonb
language sql stable as $$
  select jsonb_build_object(
    'runs_by_status', coalesce((select jsonb_object_agg(status, n)
                                  from (select status, count(*) as n from ops.runs
                                         group by status) s), '{}'::jsonb),
    'phases_by_status', coalesce((select jsonb_object_agg(status, n)
                                    from (select status, count(*) as n from ops.phases
                                           group by status) s), '{}'::jsonb),
    'queue_depth', (select count(*) from ops.phases
                     where status = 'runnable' and runnable_since <= now()),
    'lease_expirations_total', (select count(*) from ops.phase_attempts
                                 where outcome = 'expired'),
    'artifacts_total', (select count(*) from ops.artifacts),
    'claim_wait', (
      with waits as (
        select greatest(extract(epoch from claimed_at - runnable_since), 0)::double precision as w
          from ops.phase_attempts)
      select jsonb_build_object(
        'buckets', coalesce((select jsonb_agg(jsonb_build_object(
                                       'le', b.le,
                                       'count', (select count(*) from waits where w <= b.le))
                                     order by b.le)
                               from unnest(p_buckets) as b (le)), '[]'::jsonb),
        'sum', coalesce((select sum(w) from waits), 0),
        'count', (select count(*) from waits))),
    'source_freshness', ops.source_freshness_snapshot())
$$;

-- Like metrics_snapshot: for the owner only (it reads across tenants).
revoke execute on function ops.source_freshness_snapshot() from public;
revoke execute on function ops.metrics_snapshot(double precision[]) from public;
