/**
 * What the checks found: violations (each one a broken promise; the test requires
 * none) and counts for the report.
 */
export class Findings {
  readonly violations: string[] = [];
  readonly counts = new Map<string, number>();

  violation(message: string): void {
    this.violations.push(message);
  }

  /** Checks `condition`; records `message` as a violation when it is false. */
  expect(condition: boolean, message: () => string): void {
    if (!condition) this.violations.push(message());
  }

  count(name: string, by = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + by);
  }

  get(name: string): number {
    return this.counts.get(name) ?? 0;
  }
}
