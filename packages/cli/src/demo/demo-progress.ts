import type { Event } from "@controlroom/contract";

type PhaseState = {
  status: "pending" | "running" | "succeeded" | "failed" | "retrying" | "skipped" | "cancelled";
  fraction: number | undefined;
  message: string;
  startedAt: number | undefined;
  endedAt: number | undefined;
};

const PHASE_STATUS: Record<string, PhaseState["status"]> = {
  PHASE_STARTED: "running",
  PHASE_SUCCEEDED: "succeeded",
  PHASE_FAILED: "failed",
  PHASE_RETRY_SCHEDULED: "retrying",
  PHASE_SKIPPED: "skipped",
  PHASE_CANCELLED: "cancelled",
};

const MARK: Record<PhaseState["status"], string> = {
  pending: "·",
  running: "▸",
  succeeded: "✓",
  failed: "✗",
  retrying: "↻",
  skipped: "-",
  cancelled: "-",
};

/**
 * Turns a run's events into a progress display, one line per phase. On a terminal the
 * block is redrawn in place; otherwise every change is a plain line, so logs stay
 * readable in CI.
 */
export class DemoProgress {
  readonly #phases = new Map<string, PhaseState>();
  readonly #write: (line: string) => void;
  readonly #live: boolean;
  #drawn = 0;

  constructor(phases: readonly string[], write: (line: string) => void, live: boolean) {
    for (const name of phases) {
      this.#phases.set(name, {
        status: "pending",
        fraction: undefined,
        message: "",
        startedAt: undefined,
        endedAt: undefined,
      });
    }
    this.#write = write;
    this.#live = live;
    if (live) this.#redraw();
  }

  /** Applies one event of the run. */
  update(event: Event): void {
    const name = event.phase;
    const state = name ? this.#phases.get(name) : undefined;
    if (!name || !state) return;
    const status = PHASE_STATUS[event.type];
    const now = Date.parse(event.ts);
    if (status) {
      state.status = status;
      if (status === "running") state.startedAt ??= now;
      if (status !== "running" && status !== "retrying") state.endedAt = now;
      if (status === "failed" || status === "retrying") state.message = event.message;
      if (status === "succeeded") state.fraction = 1;
    } else if (event.type === "PHASE_PROGRESS") {
      const fraction = (event.payload as { fraction?: unknown }).fraction;
      if (typeof fraction === "number") state.fraction = fraction;
      state.message = event.message;
    } else if (event.type === "VALIDATION_FAILED" || event.type === "SCHEMA_DRIFT") {
      state.message = event.message;
    } else {
      return;
    }
    if (this.#live) this.#redraw();
    else this.#write(this.#line(name, state));
  }

  #redraw(): void {
    const lines = [...this.#phases].map(([name, state]) => this.#line(name, state));
    // Up over the previous block, then each line cleared and rewritten.
    const up = this.#drawn > 0 ? `\x1b[${this.#drawn}A` : "";
    lines.forEach((line, i) => {
      this.#write(`${i === 0 ? up : ""}\x1b[2K${line}`);
    });
    this.#drawn = lines.length;
  }

  #line(name: string, state: PhaseState): string {
    const percent =
      state.fraction === undefined ? "    " : `${Math.round(state.fraction * 100)}%`.padStart(4);
    const took =
      state.startedAt !== undefined && state.endedAt !== undefined
        ? ` ${((state.endedAt - state.startedAt) / 1000).toFixed(1)}s`
        : "";
    const message = state.message ? `  ${state.message}` : "";
    return `${MARK[state.status]} ${name.padEnd(9)} ${state.status.padEnd(9)} ${percent}${took}${message}`;
  }
}
