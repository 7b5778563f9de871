/** A run's or phase's status as a coloured label (the text itself says it, for screen readers and print). */
export function StatusBadge(props: { status: string }) {
  return <span class={`badge status-${props.status}`}>{props.status}</span>;
}
