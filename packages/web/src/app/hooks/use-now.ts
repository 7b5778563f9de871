import { useEffect, useState } from "preact/hooks";

/** The clock, re-read every `intervalMs` while `live` (durations of running things grow). */
export function useNow(intervalMs: number, live: boolean): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!live) {
      setNow(Date.now());
      return;
    }
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs, live]);
  return now;
}
