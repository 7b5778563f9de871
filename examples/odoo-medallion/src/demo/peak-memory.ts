/**
 * Samples the process's resident memory while the demo runs and keeps the peak per
 * stage (seeding, then each phase as its events announce it), so `--rows` can show
 * that memory stays bounded and where it goes.
 */
export class PeakMemory {
  readonly #peaks: Record<string, number> = {};
  readonly #timer: NodeJS.Timeout;
  #stage = "setup";

  constructor(intervalMs = 200) {
    this.#timer = setInterval(() => this.#sample(), intervalMs);
    this.#timer.unref();
  }

  /** From now on, samples count towards `stage`. */
  enter(stage: string): void {
    this.#sample();
    this.#stage = stage;
    this.#sample();
  }

  /** Stops sampling; peak RSS per stage in MiB, and the process's own peak. */
  stop(): { peak_rss_mib: number; by_stage_mib: Record<string, number> } {
    this.#sample();
    clearInterval(this.#timer);
    return {
      // The kernel's high-water mark also sees peaks between two samples.
      peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
      by_stage_mib: Object.fromEntries(
        Object.entries(this.#peaks).map(([stage, bytes]) => [stage, Math.round(bytes / 2 ** 20)]),
      ),
    };
  }

  #sample(): void {
    const rss = process.memoryUsage.rss();
    this.#peaks[this.#stage] = Math.max(this.#peaks[this.#stage] ?? 0, rss);
  }
}
