import type { ComponentChildren } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";

/** Props of {@link VirtualList}. */
export interface VirtualListProps {
  count: number;
  /** Every row's height in pixels (fixed, so any row's position is a multiplication). */
  rowHeight: number;
  /** The viewport's height in pixels. */
  height: number;
  renderRow: (index: number) => ComponentChildren;
  /** The row shown as selected, or -1. */
  selected: number;
  onSelect: (index: number) => void;
  /** Keep the last row in view as rows are added, while the viewer is at the bottom. */
  followTail?: boolean;
  label: string;
}

const OVERSCAN = 8;

/**
 * A list that renders only the rows in view (plus a few), so a run with 10,000 events
 * scrolls as fast as one with 10. Rows have a fixed height. Keyboard: the list is one
 * tab stop; arrows, Page Up/Down, Home and End move the selection and scroll to it.
 */
export function VirtualList(props: VirtualListProps) {
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const atBottom = useRef(true);

  useLayoutEffect(() => {
    const element = viewport.current;
    if (element && props.followTail && atBottom.current) {
      element.scrollTop = element.scrollHeight;
      setScrollTop(element.scrollTop);
    }
  }, [props.count, props.followTail]);

  useEffect(() => {
    const element = viewport.current;
    if (!element || props.selected < 0) return;
    const top = props.selected * props.rowHeight;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + props.rowHeight > element.scrollTop + props.height)
      element.scrollTop = top + props.rowHeight - props.height;
  }, [props.selected, props.rowHeight, props.height]);

  const first = Math.max(0, Math.floor(scrollTop / props.rowHeight) - OVERSCAN);
  const last = Math.min(
    props.count,
    Math.ceil((scrollTop + props.height) / props.rowHeight) + OVERSCAN,
  );
  const rows: ComponentChildren[] = [];
  for (let index = first; index < last; index += 1) {
    rows.push(
      // biome-ignore lint/a11y/useKeyWithClickEvents: the listbox container handles the keys (arrows, Home, End), as in the ARIA listbox pattern.
      <div
        key={index}
        id={`${props.label.replace(/\W+/g, "-")}-row-${index}`}
        tabIndex={-1}
        class={`virtual-row${index === props.selected ? " selected" : ""}`}
        style={{ top: `${index * props.rowHeight}px`, height: `${props.rowHeight}px` }}
        role="option"
        aria-selected={index === props.selected}
        onClick={() => props.onSelect(index)}
      >
        {props.renderRow(index)}
      </div>,
    );
  }

  const move = (to: number) => props.onSelect(Math.max(0, Math.min(props.count - 1, to)));
  const page = Math.max(1, Math.floor(props.height / props.rowHeight) - 1);
  return (
    <div
      ref={viewport}
      class="virtual-viewport"
      style={{ height: `${props.height}px` }}
      role="listbox"
      aria-label={props.label}
      aria-activedescendant={
        props.selected >= 0
          ? `${props.label.replace(/\W+/g, "-")}-row-${props.selected}`
          : undefined
      }
      tabIndex={0}
      onScroll={(event) => {
        const element = event.currentTarget;
        setScrollTop(element.scrollTop);
        atBottom.current = element.scrollTop + element.clientHeight >= element.scrollHeight - 4;
      }}
      onKeyDown={(event) => {
        const keys: Record<string, number> = {
          ArrowDown: props.selected + 1,
          ArrowUp: props.selected - 1,
          PageDown: props.selected + page,
          PageUp: props.selected - page,
          Home: 0,
          End: props.count - 1,
        };
        const to = keys[event.key];
        if (to === undefined || props.count === 0) return;
        event.preventDefault();
        move(props.selected < 0 && event.key === "ArrowDown" ? 0 : to);
      }}
    >
      <div class="virtual-spacer" style={{ height: `${props.count * props.rowHeight}px` }}>
        {rows}
      </div>
    </div>
  );
}
