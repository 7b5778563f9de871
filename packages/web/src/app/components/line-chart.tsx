import { formatTime } from "../model/format.js";

/** One line of a {@link LineChart}. */
export interface ChartSeries {
  name: string;
  points: readonly { t: number; v: number }[];
}

const WIDTH = 1200;
const HEIGHT = 220;
const PAD = { left: 64, right: 12, top: 12, bottom: 28 };

/**
 * Lines over time in SVG (no chart library: a few paths and labels), scaled to its
 * container's width. The y axis starts at zero; the legend names each line with its
 * latest value, so the chart also reads as text.
 */
export function LineChart(props: {
  series: readonly ChartSeries[];
  label: string;
  formatValue: (value: number) => string;
  empty: string;
  /** The y axis reaches at least this (1 for counts, so a flat zero line is not its own maximum). */
  minMax?: number;
}) {
  const all = props.series.flatMap((series) => series.points);
  if (all.length === 0) return <p class="muted">{props.empty}</p>;
  const t0 = Math.min(...all.map((p) => p.t));
  const t1 = Math.max(t0 + 1, ...all.map((p) => p.t));
  const vMax = Math.max(props.minMax ?? 1e-9, ...all.map((p) => p.v));
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0)) * (WIDTH - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - v / vMax) * (HEIGHT - PAD.top - PAD.bottom);
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={props.label}
        preserveAspectRatio="none"
      >
        <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(0)} y2={y(0)} class="axis" />
        <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(vMax)} y2={y(vMax)} class="grid" />
        <text x={PAD.left - 6} y={y(vMax) + 4} class="tick" text-anchor="end">
          {props.formatValue(vMax)}
        </text>
        <text x={PAD.left - 6} y={y(0) + 4} class="tick" text-anchor="end">
          0
        </text>
        <text x={PAD.left} y={HEIGHT - 8} class="tick">
          {formatTime(new Date(t0).toISOString())}
        </text>
        <text x={WIDTH - PAD.right} y={HEIGHT - 8} class="tick" text-anchor="end">
          {formatTime(new Date(t1).toISOString())}
        </text>
        {props.series.map((series, index) => (
          <g key={series.name} class={`series series-${index % 8}`}>
            <polyline points={series.points.map((p) => `${x(p.t)},${y(p.v)}`).join(" ")} />
            {series.points.length <= 60
              ? series.points.map((p) => <circle key={p.t} cx={x(p.t)} cy={y(p.v)} r="2.5" />)
              : null}
          </g>
        ))}
      </svg>
      <figcaption class="legend-list">
        {props.series.map((series, index) => {
          const last = series.points.at(-1);
          return (
            <span key={series.name} class={`legend-item series-${index % 8}`}>
              <span class="swatch" aria-hidden="true" /> {series.name}
              {last ? `: ${props.formatValue(last.v)}` : ""}
            </span>
          );
        })}
      </figcaption>
    </figure>
  );
}
