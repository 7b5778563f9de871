import { useArtifactText } from "../hooks/use-artifact-text.js";
import type { RunArtifact } from "../model/run-artifacts.js";
import { ErrorNotice } from "./error-notice.js";

function pretty(text: string, mediaType: string): string {
  if (!mediaType.includes("json")) return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** One artifact's content as text (JSON indented), read through the server's UI endpoint. */
export function ArtifactViewer(props: { artifact: RunArtifact }) {
  const { text, error, loading } = useArtifactText(props.artifact.sha256);
  if (error) return <ErrorNotice error={error} what={props.artifact.name} />;
  if (loading || text === undefined) return <p class="muted">Loading {props.artifact.name}…</p>;
  return (
    <pre class="code-block" data-testid="artifact-content">
      {pretty(text, props.artifact.mediaType)}
    </pre>
  );
}
