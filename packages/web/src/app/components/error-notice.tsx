import { describeError } from "../api/describe-error.js";
import { useSession } from "../session/session-context.js";

/**
 * An error from the server or the network, as a message in place of (or above) what
 * could not be loaded: never a blank screen. A refused token offers signing in again.
 */
export function ErrorNotice(props: { error: unknown; what?: string }) {
  const session = useSession();
  const described = describeError(props.error);
  return (
    <div class="notice notice-error" role="alert">
      <strong>{props.what ? `Could not load ${props.what}. ` : ""}</strong>
      {described.message}
      {described.requestId ? <span class="muted"> (request {described.requestId})</span> : null}
      {described.signInAgain ? (
        <button type="button" class="link-button" onClick={() => session.signOut()}>
          Sign in again
        </button>
      ) : null}
    </div>
  );
}
