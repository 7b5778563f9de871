import { useState } from "preact/hooks";
import type { SqlOutput } from "../model/sql-outputs.js";
import { SqlOutputView } from "./sql-output-view.js";

/** The run's SQL outputs as tabs: pick one to see its query and preview rows. */
export function SqlOutputs(props: { outputs: readonly SqlOutput[] }) {
  const [open, setOpen] = useState<string | undefined>(undefined);
  const current = props.outputs.find((output) => output.name === open);
  return (
    <div>
      <div class="tabs">
        {props.outputs.map((output) => (
          <button
            type="button"
            key={output.name}
            class={`tab${output.name === open ? " selected" : ""}`}
            aria-pressed={output.name === open}
            onClick={() => setOpen(output.name === open ? undefined : output.name)}
          >
            {output.name}
          </button>
        ))}
      </div>
      {current ? (
        <SqlOutputView key={current.name} output={current} />
      ) : (
        <p class="muted">Pick an output to see its query and result preview.</p>
      )}
    </div>
  );
}
