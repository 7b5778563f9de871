import { useEffect, useRef, useState } from "preact/hooks";

/** What {@link usePolled} returns. */
export interface Polled<T> {
  data: T | undefined;
  /** The last failure; cleared by the next success. Data from before it is kept. */
  error: unknown;
  loading: boolean;
  /** Loads again now. */
  refresh: () => void;
}

/**
 * Loads `load()` now and again every `intervalMs` (0: once; a function decides from
 * the data just loaded, e.g. stop once a run has ended) while the component is
 * shown and the tab is visible, keeping the last good data through a failed poll so a
 * hiccup shows as a message above the data, not a blank screen. Reloads from scratch
 * when `key` changes; aborts what is in flight on unmount.
 *
 * @example
 * ```ts
 * const runs = usePolled((signal) => client.runs.list({ limit: 50 }, { signal }), 3_000, filterKey);
 * ```
 */
export function usePolled<T>(
  load: (signal: AbortSignal) => Promise<T>,
  intervalMs: number | ((data: T) => number),
  key: string,
): Polled<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const intervalRef = useRef(intervalMs);
  intervalRef.current = intervalMs;

  useEffect(() => {
    setState({ data: undefined, error: undefined, loading: true });
  }, [key]);

  // `key` and `tick` are the triggers; the loader and interval are read through refs.
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last: T | undefined;
    const run = async () => {
      try {
        const data = await loadRef.current(controller.signal);
        last = data;
        if (!controller.signal.aborted) setState({ data, error: undefined, loading: false });
      } catch (error) {
        if (!controller.signal.aborted) setState((old) => ({ ...old, error, loading: false }));
      }
      const interval = intervalRef.current;
      // Before the first success there is nothing to decide from: keep retrying at 2 s.
      const wait =
        typeof interval === "number" ? interval : last === undefined ? 2_000 : interval(last);
      if (wait > 0 && !controller.signal.aborted) {
        timer = setTimeout(function next() {
          if (document.hidden) timer = setTimeout(next, wait);
          else void run();
        }, wait);
      }
    };
    void run();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [key, tick]);

  return { ...state, refresh: () => setTick((n) => n + 1) };
}
