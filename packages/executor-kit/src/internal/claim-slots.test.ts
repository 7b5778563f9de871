import { describe, expect, it } from "vitest";
import { ClaimSlots } from "./claim-slots.js";

/** Slots with `held` leases started. */
function slotsHolding(capacity: number, held: number): ClaimSlots {
  const slots = new ClaimSlots(capacity);
  for (let i = 0; i < held; i++) slots.leaseStarted();
  return slots;
}

describe("ClaimSlots", () => {
  it("reserves the free slots, so a second claim in flight cannot ask for them too", () => {
    const slots = slotsHolding(4, 1);
    const first = slots.reserve(1, 100);
    expect(first?.maxLeases).toBe(3);
    expect(slots.reserve(1, 100)).toBeUndefined();
    // A completion request freeing two slots may claim those two, and no more.
    const along = slots.reserve(1, 100, 2);
    expect(along?.maxLeases).toBe(2);
    expect(slots.free).toBe(-2);
    // Its answer came: two leases started, then the two completed attempts ended.
    slots.release(along!);
    slots.leaseStarted();
    slots.leaseStarted();
    slots.leaseEnded();
    slots.leaseEnded();
    expect(slots.free).toBe(0);
    slots.release(first!);
    expect(slots.free).toBe(3);
  });

  it("asks for at least `min` and at most `cap`", () => {
    const slots = slotsHolding(8, 5);
    expect(slots.reserve(4, 100)).toBeUndefined();
    expect(slots.reserve(3, 1)?.maxLeases).toBe(1);
    expect(slots.reserve(2, 100)?.maxLeases).toBe(2);
  });

  it("repeats an unanswered claim, same id and size, once its slots are free again", () => {
    const slots = slotsHolding(4, 4);
    const along = slots.reserve(1, 100, 2)!;
    slots.keep(along);
    // The two attempts it was sized for have not ended: no claim may go yet.
    expect(slots.reserve(1, 100, 1)).toBeUndefined();
    slots.leaseEnded();
    slots.leaseEnded();
    expect(slots.reserve(1, 100)).toBe(along);
    expect(slots.reserve(1, 100)).toBeUndefined();
    slots.release(along);
    expect(slots.reserve(1, 100)?.requestId).not.toBe(along.requestId);
  });

  it("leaves an unanswered claim larger than `cap` to a caller that can repeat it", () => {
    const slots = new ClaimSlots(4);
    const batch = slots.reserve(1, 100)!;
    slots.keep(batch);
    expect(slots.reserve(1, 1)).toBeUndefined();
    expect(slots.reserve(1, 100)).toBe(batch);
  });

  it("wakes whoever waits when a claim's or a lease's slots free up", async () => {
    const slots = slotsHolding(2, 1);
    const claim = slots.reserve(1, 100)!;
    slots.keep(claim);
    expect(slots.free).toBe(0);
    const first = slots.changed();
    slots.forgetUnanswered();
    await first;
    expect(slots.free).toBe(1);
    const second = slots.changed();
    slots.leaseEnded();
    await second;
    expect(slots.free).toBe(2);
  });
});
