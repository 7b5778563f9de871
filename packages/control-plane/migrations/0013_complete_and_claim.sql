-- A completion request that also claims: a busy worker ends the attempts that finished
-- and takes as many new phases in one call, one transaction, instead of a completion
-- request and a claim request per cycle.
--
-- The completions go first, so a phase that one of them makes runnable (a dependant
-- whose last dependency just succeeded) can be taken by the claim that follows: both see the transaction's own changes, and a promoted phase's
-- runnable_since is the transaction's now(). Each half is exactly the function the
-- separate endpoints call, so the rows, events, seqs and answers are theirs, and the whole
-- call is idempotent as they are: repeated completions answer `completed` with no second
-- effect, and a repeated p_request_id returns the same leases and claims nothing more.
--
-- Locks: the completions take their phases, then their runs in run_id order, as alone;
-- the claim then takes its phases (SKIP LOCKED passes over rows other transactions hold,
-- never over this one's) and then its runs in run_id order, holding the first runs'
-- locks meanwhile. Two such calls that claim phases of each other's runs (runs with
-- phases in parallel) can therefore deadlock: Postgres detects it and rolls one back
-- whole, and the store runs that statement again, as after any deadlock.
--
-- Only the two functions' signatures and answers are relied on, so a rewrite of either
-- (same signature, same results) carries over.
create or replace function ops.complete_and_claim_phases(
  p_items jsonb,
  p_executor_id text,
  p_capabilities text[],
  p_environments text[],
  p_request_id uuid,
  p_lease_seconds int default null,
  p_start boolean default false,
  p_max int default 1
) returns jsonb
language plpgsql
-- As for every function the executor calls (0011): no plan may read a table whole.
set enable_seqscan = off
as $$
declare
  v_results jsonb;
begin
  v_results := ops.complete_phases(p_items);
  return jsonb_build_object(
    'results', v_results,
    'leases', ops.claim_phases(p_executor_id, p_capabilities, p_environments, p_request_id,
                               p_lease_seconds, p_start, p_max));
end
$$;

grant execute on function
  ops.complete_and_claim_phases(jsonb, text, text[], text[], uuid, int, boolean, int)
to authenticated;
