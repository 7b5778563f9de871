import { useState } from "preact/hooks";
import { decodeTokenClaims } from "../session/token-claims.js";

/**
 * Sign-in by token: paste a bearer token (from `controlroom token`, or the admin link
 * `controlroom serve` prints, which signs in without this page). The token is only
 * checked for shape here; the server judges it on the first call.
 */
export function SignInPage(props: {
  onToken: (token: string) => void;
  reason?: string | undefined;
}) {
  const [value, setValue] = useState("");
  const [problem, setProblem] = useState<string | undefined>(undefined);
  return (
    <main class="sign-in">
      <h1>Control Room</h1>
      <p>Sign in with a token of this control plane.</p>
      {props.reason ? (
        <div class="notice notice-error" role="alert">
          {props.reason}
        </div>
      ) : null}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const token = value.trim();
          if (!decodeTokenClaims(token)) {
            setProblem(
              "That is not a Control Room token: it needs sub, tenant_id and role claims (viewer, executor, operator or admin).",
            );
            return;
          }
          props.onToken(token);
        }}
      >
        <label for="token">Token</label>
        <textarea
          id="token"
          rows={4}
          value={value}
          spellcheck={false}
          autocomplete="off"
          placeholder="eyJhbGciOiJIUzI1NiIs…"
          onInput={(event) => setValue(event.currentTarget.value)}
        />
        {problem ? (
          <p class="notice notice-error" role="alert">
            {problem}
          </p>
        ) : null}
        <button type="submit" class="primary">
          Sign in
        </button>
      </form>
      <p class="muted">
        Get one with{" "}
        <code>controlroom token --tenant default --role viewer --data-dir .controlroom</code>. In
        embedded mode, <code>controlroom serve</code> prints a link that signs you in as admin. The
        token stays in this tab only.
      </p>
    </main>
  );
}
