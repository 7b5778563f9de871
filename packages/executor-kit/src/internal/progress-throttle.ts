/** The latest progress a phase reported. */
export interface ProgressReport {
  fraction: number;
  message?: string;
}

/**
 * Rate-limits progress events: at most one per `intervalMs`, and the latest report
 * is never lost (a trailing emit sends it when the interval ends). Heartbeats read
 * `latest` so the control plane sees progress even between events.
 */
export class ProgressThrottle {
  #lastEmitAt = Number.NEGATIVE_INFINITY;
  #pending: ProgressReport | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  latest: ProgressReport | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly emit: (report: ProgressReport) => void,
  ) {}

  report(fraction: number, message?: string): void {
    if (!Number.isFinite(fraction)) return;
    const report: ProgressReport = {
      fraction: Math.min(1, Math.max(0, fraction)),
      ...(message === undefined ? {} : { message: message.slice(0, 2_000) }),
    };
    this.latest = report;
    const wait = this.#lastEmitAt + this.intervalMs - Date.now();
    if (wait <= 0) {
      this.#send(report);
      return;
    }
    this.#pending = report;
    this.#timer ??= setTimeout(() => this.flush(), wait);
  }

  /** Sends a pending report now. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending) this.#send(pending);
  }

  /** Drops a pending report and its timer (the attempt is over). */
  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = undefined;
  }

  #send(report: ProgressReport): void {
    this.#lastEmitAt = Date.now();
    this.emit(report);
  }
}
