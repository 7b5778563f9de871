import { useEffect, useState } from "preact/hooks";
import { useSession } from "../session/session-context.js";

/** An artifact's text, loading or failed; `undefined` sha loads nothing. */
export function useArtifactText(sha256: string | undefined): {
  text: string | undefined;
  error: unknown;
  loading: boolean;
} {
  const { ui } = useSession();
  const [state, setState] = useState<{ text?: string; error?: unknown; loading: boolean }>({
    loading: sha256 !== undefined,
  });
  useEffect(() => {
    if (sha256 === undefined) {
      setState({ loading: false });
      return;
    }
    const controller = new AbortController();
    setState({ loading: true });
    ui.artifactText(sha256, controller.signal).then(
      (text) => setState({ text, loading: false }),
      (error) => {
        if (!controller.signal.aborted) setState({ error, loading: false });
      },
    );
    return () => controller.abort();
  }, [ui, sha256]);
  return { text: state.text, error: state.error, loading: state.loading };
}
