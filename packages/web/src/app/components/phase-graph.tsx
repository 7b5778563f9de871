import type { Phase } from "@controlroom/contract";
import { elapsedMs, formatDuration } from "../model/format.js";
import { phaseColumns } from "../model/phase-layers.js";

const NODE_WIDTH = 196;
const NODE_HEIGHT = 78;
const GAP_X = 56;
const GAP_Y = 18;

/**
 * The run's phases as a graph, left to right along `depends_on`: each node shows the
 * phase's name, kind, status, attempts used of those allowed and how long it ran, and
 * its last error when it failed. Clicking a node (or Enter on it) selects the phase,
 * which filters the events below; clicking it again clears the filter.
 */
export function PhaseGraph(props: {
  phases: readonly Phase[];
  now: number;
  selected: string;
  onSelect: (phase: string) => void;
}) {
  const columns = phaseColumns(props.phases);
  const position = new Map<string, { x: number; y: number }>();
  columns.forEach((names, column) => {
    names.forEach((name, row) => {
      position.set(name, { x: column * (NODE_WIDTH + GAP_X), y: row * (NODE_HEIGHT + GAP_Y) });
    });
  });
  const width = Math.max(1, columns.length) * (NODE_WIDTH + GAP_X) - GAP_X;
  const height =
    Math.max(1, ...columns.map((names) => names.length)) * (NODE_HEIGHT + GAP_Y) - GAP_Y;
  const edges = props.phases.flatMap((phase) =>
    phase.depends_on.flatMap((upstream) => {
      const from = position.get(upstream);
      const to = position.get(phase.name);
      if (!from || !to) return [];
      const x1 = from.x + NODE_WIDTH;
      const y1 = from.y + NODE_HEIGHT / 2;
      const x2 = to.x;
      const y2 = to.y + NODE_HEIGHT / 2;
      const mid = (x1 + x2) / 2;
      return [
        <path
          key={`${upstream}->${phase.name}`}
          d={`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 6},${y2}`}
          class="graph-edge"
          marker-end="url(#arrow)"
        />,
      ];
    }),
  );
  return (
    <div class="graph-scroll">
      <div class="phase-graph" style={{ width: `${width}px`, height: `${height}px` }}>
        <svg width={width} height={height} aria-hidden="true" class="graph-edges">
          <defs>
            <marker
              id="arrow"
              viewBox="0 0 10 10"
              refX="4"
              refY="5"
              markerWidth="7"
              markerHeight="7"
              orient="auto"
            >
              <path d="M0,0 L10,5 L0,10 z" class="graph-arrow" />
            </marker>
          </defs>
          {edges}
        </svg>
        {props.phases.map((phase) => {
          const at = position.get(phase.name) ?? { x: 0, y: 0 };
          const ran = elapsedMs(phase.started_at, phase.finished_at, props.now);
          const selected = props.selected === phase.name;
          return (
            <button
              type="button"
              key={phase.name}
              class={`graph-node status-${phase.status}${selected ? " selected" : ""}`}
              style={{
                left: `${at.x}px`,
                top: `${at.y}px`,
                width: `${NODE_WIDTH}px`,
                height: `${NODE_HEIGHT}px`,
              }}
              aria-pressed={selected}
              data-phase={phase.name}
              data-status={phase.status}
              title={phase.last_error?.message ?? `${phase.name}: ${phase.status}`}
              onClick={() => props.onSelect(selected ? "" : phase.name)}
            >
              <span class="node-title">
                <span class="node-name">{phase.name}</span>
                <span class="node-kind">{phase.kind}</span>
              </span>
              <span class="node-status">
                <span class={`badge status-${phase.status}`}>{phase.status}</span>
                <span class="node-meta">
                  {phase.attempt > 0
                    ? `attempt ${phase.attempt}/${phase.retry.max_attempts}`
                    : "not started"}
                  {ran !== undefined ? ` · ${formatDuration(ran)}` : ""}
                </span>
              </span>
              {phase.last_error && phase.status !== "succeeded" ? (
                <span class="node-error">{phase.last_error.message}</span>
              ) : null}
            </button>
          );
        })}
      </div>
    </div>
  );
}
