import type { Phase } from "@controlroom/contract";

/**
 * A run's phases as a segmented bar, one segment per phase coloured by its status,
 * with "3/5" beside it: how far the run got, and where it stopped.
 */
export function PhaseProgress(props: { phases: readonly Phase[] }) {
  const done = props.phases.filter((phase) => phase.status === "succeeded").length;
  const label = props.phases.map((phase) => `${phase.name}: ${phase.status}`).join(", ");
  return (
    <span class="phase-progress" title={label}>
      <span class="visually-hidden">{`${done} of ${props.phases.length} phases succeeded (${label})`}</span>
      <span class="segments" aria-hidden="true">
        {props.phases.map((phase) => (
          <span key={phase.name} class={`segment status-${phase.status}`} />
        ))}
      </span>
      <span class="mono" aria-hidden="true">
        {done}/{props.phases.length}
      </span>
    </span>
  );
}
