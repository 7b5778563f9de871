/** What replaces a secret value. */
export const REDACTED = "[REDACTED]";

/**
 * Values shorter than this are not redacted: replacing every "1" or "ab" in every
 * log line would make logs useless while protecting nothing a real secret needs.
 */
const MIN_SECRET_LENGTH = 4;

/**
 * Replaces known secret values (and their JSON-escaped and URL-encoded forms) in
 * strings, nested objects, arrays and errors. One redactor is shared by a worker's
 * logger and every event it sends, so a secret read by any phase is hidden everywhere
 * from then on.
 */
export class Redactor {
  #needles: string[] = [];

  /** Registers a secret value. */
  add(secret: string): void {
    if (secret.length < MIN_SECRET_LENGTH) return;
    const forms = [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)];
    for (const form of forms) {
      if (!this.#needles.includes(form)) this.#needles.push(form);
    }
    // Longest first, so that a secret containing another is replaced whole.
    this.#needles.sort((a, b) => b.length - a.length);
  }

  /** True when at least one secret is registered. */
  get active(): boolean {
    return this.#needles.length > 0;
  }

  /** `text` with every registered secret replaced. */
  redactString(text: string): string {
    let result = text;
    for (const needle of this.#needles) {
      if (result.includes(needle)) result = result.split(needle).join(REDACTED);
    }
    return result;
  }

  /** A deep copy of `value` with secrets replaced in every string (keys included). */
  redact<T>(value: T): T {
    if (!this.active) return value;
    return this.#walk(value, new WeakSet()) as T;
  }

  #walk(value: unknown, seen: WeakSet<object>): unknown {
    if (typeof value === "string") return this.redactString(value);
    if (typeof value !== "object" || value === null) return value;
    if (value instanceof Uint8Array || value instanceof Date) return value;
    if (seen.has(value)) return "[Circular]";
    seen.add(value);
    if (Array.isArray(value)) return value.map((item) => this.#walk(item, seen));
    if (value instanceof Error) {
      const copy = new Error(this.redactString(value.message));
      copy.name = value.name;
      if (value.stack) copy.stack = this.redactString(value.stack);
      return copy;
    }
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      result[this.redactString(key)] = this.#walk(item, seen);
    }
    return result;
  }
}
