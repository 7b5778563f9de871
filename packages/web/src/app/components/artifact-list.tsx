import { useState } from "preact/hooks";
import { formatBytes, shortHash } from "../model/format.js";
import type { RunArtifact } from "../model/run-artifacts.js";
import { ArtifactViewer } from "./artifact-viewer.js";

/**
 * The artifacts linked to the run: name, phase, media type, size, content hash and
 * where the bytes live; "View" opens the content below the row.
 */
export function ArtifactList(props: { artifacts: readonly RunArtifact[] }) {
  const [open, setOpen] = useState<string | undefined>(undefined);
  if (props.artifacts.length === 0)
    return <p class="muted">No artifact is linked to this run yet.</p>;
  return (
    <section class="table-scroll" aria-label="artifacts">
      <table class="data-table artifacts">
        <thead>
          <tr>
            <th scope="col">name</th>
            <th scope="col">phase</th>
            <th scope="col">media type</th>
            <th scope="col">size</th>
            <th scope="col">sha256</th>
            <th scope="col">stored at</th>
            <th scope="col">
              <span class="visually-hidden">actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.artifacts.map((artifact) => {
            const key = `${artifact.phase}/${artifact.name}`;
            const isOpen = open === key;
            return [
              <tr key={key}>
                <td class="mono">{artifact.name}</td>
                <td>{artifact.phase ?? "–"}</td>
                <td>{artifact.mediaType}</td>
                <td class="number-cell">{formatBytes(artifact.sizeBytes)}</td>
                <td class="mono" title={artifact.sha256}>
                  {shortHash(artifact.sha256)}
                </td>
                <td class="mono uri-cell" title={artifact.uri}>
                  {artifact.uri}
                </td>
                <td>
                  <button
                    type="button"
                    class="small"
                    aria-expanded={isOpen}
                    onClick={() => setOpen(isOpen ? undefined : key)}
                  >
                    {isOpen ? "Hide" : "View"}
                  </button>
                </td>
              </tr>,
              isOpen ? (
                <tr key={`${key}:content`} class="expanded-row">
                  <td colSpan={7}>
                    <ArtifactViewer artifact={artifact} />
                  </td>
                </tr>
              ) : null,
            ];
          })}
        </tbody>
      </table>
    </section>
  );
}
