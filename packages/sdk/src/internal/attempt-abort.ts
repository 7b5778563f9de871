/**
 * Cancels one attempt: its timeout, or the caller's signal, calls `abort`, and the
 * exchange in flight hears of it through its single `onAbort` listener.
 *
 * An attempt used to make an `AbortController`: in Node each one builds an
 * EventTarget-backed signal, and the exchange added and removed a listener on it, which
 * together cost more CPU than the rest of the SDK's work for a call. Nearly every
 * attempt ends without an abort, so this keeps the common path to a plain object; a
 * real `AbortSignal` is made only for APIs that need one (fetch), on first use.
 */
export class AttemptAbort {
  #aborted = false;
  #reason: unknown;
  #listener: ((reason: unknown) => void) | undefined;
  #controller: AbortController | undefined;

  get aborted(): boolean {
    return this.#aborted;
  }

  /** What `abort` was called with; undefined until then. */
  get reason(): unknown {
    return this.#reason;
  }

  /** Aborts once (later calls do nothing), telling the listener and the signal if any. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    const listener = this.#listener;
    this.#listener = undefined;
    listener?.(reason);
    this.#controller?.abort(reason);
  }

  /**
   * Sets the one listener (an attempt has one exchange), replacing any before it;
   * `undefined` removes it. Not called when already aborted: check `aborted` first.
   */
  onAbort(listener: ((reason: unknown) => void) | undefined): void {
    this.#listener = listener;
  }

  /** Throws the reason when aborted, as `AbortSignal.throwIfAborted` does. */
  throwIfAborted(): void {
    if (this.#aborted) throw this.#reason;
  }

  /** A real `AbortSignal` that follows this one, made on first use. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }
}
