/** One bar of a {@link BarList}. */
export interface BarItem {
  label: string;
  /** 0 to 1: the bar's length. */
  fraction: number;
  /** What the bar says in words, e.g. "18/20 (90%) · 3 retries". */
  text: string;
  tone: "ok" | "warn" | "error" | "none";
}

/** Horizontal bars with their numbers written out: a chart that is also a readable list. */
export function BarList(props: { items: readonly BarItem[]; label: string; empty: string }) {
  if (props.items.length === 0) return <p class="muted">{props.empty}</p>;
  return (
    <ul class="bar-list" aria-label={props.label}>
      {props.items.map((item) => (
        <li key={item.label}>
          <span class="bar-label">{item.label}</span>
          <span class="bar-track" aria-hidden="true">
            <span
              class={`bar-fill tone-${item.tone}`}
              style={{ width: `${Math.round(item.fraction * 100)}%` }}
            />
          </span>
          <span class="bar-text">{item.text}</span>
        </li>
      ))}
    </ul>
  );
}
