import type { Run } from "@controlroom/contract";
import { useState } from "preact/hooks";
import { useSession } from "../session/session-context.js";
import { canOperate } from "../session/token-claims.js";
import { ErrorNotice } from "./error-notice.js";

/**
 * Cancel for operators and admins, on a run that has not ended: a first click asks for
 * a reason and a confirmation. Other roles see nothing (the server would answer 403).
 */
export function CancelRun(props: { run: Run; onCancelled: (run: Run) => void }) {
  const { client, claims } = useSession();
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  if (!canOperate(claims.role)) return null;
  if (props.run.status !== "queued" && props.run.status !== "running") return null;
  if (props.run.cancel_requested) {
    return (
      <span class="muted">Cancel requested: running phases stop at their next heartbeat.</span>
    );
  }
  if (!asking) {
    return (
      <button type="button" class="danger" onClick={() => setAsking(true)}>
        Cancel run…
      </button>
    );
  }
  return (
    <form
      class="cancel-form"
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        setError(undefined);
        try {
          const run = await client.runs.cancel(
            props.run.run_id,
            reason.trim() ? { reason: reason.trim() } : {},
          );
          setAsking(false);
          props.onCancelled(run);
        } catch (failure) {
          setError(failure);
        } finally {
          setBusy(false);
        }
      }}
    >
      <label>
        Reason{" "}
        <input
          type="text"
          value={reason}
          placeholder="optional"
          onInput={(e) => setReason(e.currentTarget.value)}
        />
      </label>
      <button type="submit" class="danger" disabled={busy}>
        {busy ? "Cancelling…" : "Confirm cancel"}
      </button>
      <button type="button" class="small" onClick={() => setAsking(false)}>
        Keep running
      </button>
      {error ? <ErrorNotice error={error} what="the cancel" /> : null}
    </form>
  );
}
