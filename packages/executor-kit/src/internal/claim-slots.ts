/** One claim the worker sends: its identity, the same on every repeat, and its size. */
export interface SlotClaim {
  readonly requestId: string;
  readonly maxLeases: number;
}

/**
 * The worker's slot accounting, shared by its two ways of claiming: the loop's own
 * claim requests and the claims its completion requests carry. A claim reserves its
 * `maxLeases` slots from when it is planned until it is answered, so two claims in
 * flight never ask for the same free slot, and the worker never holds more leases than
 * its capacity. A lease holds its slot from {@link leaseStarted} until
 * {@link leaseEnded} (its attempt is over: its complete answered, or none to send).
 *
 * A claim that got no answer (the request failed) may still have been applied, so its
 * slots stay reserved and the next claim repeats it, same `request_id` and same size:
 * the server then returns the leases it took, rather than leaving them to expire.
 *
 * @example
 * ```ts
 * const slots = new ClaimSlots(concurrency);
 * const claim = slots.reserve(1, MAX_BATCH_SIZE);
 * if (claim) {
 *   try { const leases = await claimBatch(claim); slots.release(claim); leases.forEach(start); }
 *   catch { slots.keep(claim); }
 * }
 * ```
 */
export class ClaimSlots {
  readonly #capacity: number;
  #held = 0;
  #reserved = 0;
  readonly #unanswered: SlotClaim[] = [];
  // One promise shared by every waiter, made when first asked for and settled at the next release.
  #changed: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Slots neither held nor reserved (negative while a repeat waits for room). */
  get free(): number {
    return this.#capacity - this.#held - this.#reserved;
  }

  /** A lease was started: it holds a slot until {@link leaseEnded}. */
  leaseStarted(): void {
    this.#held++;
  }

  /** A lease's attempt is over: its slot is free. */
  leaseEnded(): void {
    this.#held--;
    this.#wake();
  }

  /**
   * Plans a claim of between `min` and `cap` leases and reserves its slots, or returns
   * undefined when fewer than `min` are free. `freeing` counts slots that free up before
   * the claim runs: the attempts completed by the request that carries it. An unanswered
   * claim comes first, unchanged, as soon as its slots are free again (and it is no
   * larger than `cap`).
   */
  reserve(min: number, cap: number, freeing = 0): SlotClaim | undefined {
    const free = this.free + freeing;
    // An unanswered claim's own slots are already in `#reserved`: it fits once nothing
    // else is over.
    const repeat = this.#unanswered.findIndex((claim) => claim.maxLeases <= cap);
    if (repeat >= 0) {
      if (free < 0) return undefined;
      return this.#unanswered.splice(repeat, 1)[0];
    }
    if (free < Math.max(1, min)) return undefined;
    const claim = { requestId: crypto.randomUUID(), maxLeases: Math.min(cap, free) };
    this.#reserved += claim.maxLeases;
    return claim;
  }

  /**
   * The claim was answered (the caller starts its leases before anything else runs),
   * or certainly not applied (refused, or never sent): its slots are free again.
   */
  release(claim: SlotClaim): void {
    this.#reserved -= claim.maxLeases;
    this.#wake();
  }

  /** The claim got no answer: its slots stay reserved until a later claim repeats it. */
  keep(claim: SlotClaim): void {
    this.#unanswered.push(claim);
  }

  /** Gives up repeating unanswered claims (the worker stops claiming): their slots free up. */
  forgetUnanswered(): void {
    for (const claim of this.#unanswered.splice(0)) this.release(claim);
  }

  /** Resolves at the next {@link release} or {@link leaseEnded}: slots may have come free. */
  changed(): Promise<void> {
    if (this.#changed === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => {
        resolve = done;
      });
      this.#changed = { promise, resolve };
    }
    return this.#changed.promise;
  }

  #wake(): void {
    this.#changed?.resolve();
    this.#changed = undefined;
  }
}
