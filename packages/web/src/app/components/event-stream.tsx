import type { Event, EventLevel } from "@controlroom/contract";
import { useMemo, useState } from "preact/hooks";
import { type EventFilter, filterEvents, LEVELS } from "../model/event-filter.js";
import { JsonBlock } from "./json-block.js";
import { VirtualList } from "./virtual-list.js";

const ROW_HEIGHT = 28;

function clock(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toLocaleTimeString([], { hour12: false })}.${String(date.getMilliseconds()).padStart(3, "0")}`;
}

/**
 * The run's events, tailing live: filter by phase (shared with the phase graph), by
 * minimum level and by text; select a row (click, or arrows in the list) to see its
 * payload expanded below. The list is virtualised, so thousands of events stay fast,
 * and it keeps the newest event in view while you are at the bottom.
 */
export function EventStream(props: {
  events: readonly Event[];
  phases: readonly string[];
  phase: string;
  onPhase: (phase: string) => void;
  live: boolean;
}) {
  const [minLevel, setMinLevel] = useState<EventLevel>("debug");
  const [text, setText] = useState("");
  const [selectedSeq, setSelectedSeq] = useState<number | undefined>(undefined);
  const filter: EventFilter = { phase: props.phase, minLevel, text };
  const shown = useMemo(
    () => filterEvents(props.events, filter),
    [props.events, props.phase, minLevel, text],
  );
  const selectedIndex =
    selectedSeq === undefined ? -1 : shown.findIndex((e) => e.seq === selectedSeq);
  const selected = selectedIndex >= 0 ? shown[selectedIndex] : undefined;
  return (
    <div class="event-stream">
      <div class="toolbar">
        <label>
          Phase{" "}
          <select
            value={props.phase}
            onChange={(event) => props.onPhase(event.currentTarget.value)}
            aria-label="filter events by phase"
          >
            <option value="">all</option>
            <option value="run">run-level only</option>
            {props.phases.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Level{" "}
          <select
            value={minLevel}
            onChange={(event) => setMinLevel(event.currentTarget.value as EventLevel)}
            aria-label="minimum level"
          >
            {LEVELS.map((level) => (
              <option key={level} value={level}>
                {level === "debug" ? "all" : `${level} and above`}
              </option>
            ))}
          </select>
        </label>
        <label>
          Search{" "}
          <input
            type="search"
            value={text}
            placeholder="type or message"
            onInput={(event) => setText(event.currentTarget.value)}
          />
        </label>
        <span class="muted" aria-live="polite" data-testid="event-count">
          {shown.length === props.events.length
            ? `${props.events.length} events`
            : `${shown.length} of ${props.events.length} events`}
          {props.live ? " · live" : ""}
        </span>
      </div>
      <div class="event-header" aria-hidden="true">
        <span>time</span>
        <span>seq</span>
        <span>level</span>
        <span>phase</span>
        <span>type</span>
        <span>message</span>
      </div>
      <VirtualList
        count={shown.length}
        rowHeight={ROW_HEIGHT}
        height={Math.min(420, Math.max(3, shown.length) * ROW_HEIGHT + 2)}
        selected={selectedIndex}
        onSelect={(index) => {
          const seq = shown[index]?.seq;
          setSelectedSeq(seq === selectedSeq ? undefined : seq);
        }}
        followTail={props.live}
        label="events"
        renderRow={(index) => {
          const event = shown[index] as Event;
          return (
            <span class={`event-row level-${event.level}`} data-seq={event.seq}>
              <span class="mono">{clock(event.ts)}</span>
              <span class="mono">{event.seq}</span>
              <span class={`level level-${event.level}`}>{event.level}</span>
              <span>{event.phase ?? "run"}</span>
              <span class="mono event-type">{event.type}</span>
              <span class="event-message">{event.message}</span>
            </span>
          );
        }}
      />
      {selected ? (
        <div class="event-detail" aria-live="polite">
          <div class="event-detail-head">
            <strong>
              #{selected.seq} {selected.type}
            </strong>{" "}
            <span class="muted">
              {selected.ts} · {selected.phase ?? "run"} · {selected.level} · event{" "}
              {selected.event_id}
            </span>
            <button type="button" class="link-button" onClick={() => setSelectedSeq(undefined)}>
              Close
            </button>
          </div>
          <p>{selected.message}</p>
          <JsonBlock value={selected.payload} label="event payload" />
        </div>
      ) : (
        <p class="muted hint">
          Select an event (click it, or use the arrow keys in the list) to see its payload.
        </p>
      )}
    </div>
  );
}
