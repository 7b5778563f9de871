import { getEventListeners } from "node:events";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { ControlRoomClient } from "../src/index.js";
import { followAbort } from "../src/internal/follow-abort.js";
import { BASE_URL, RUN_ID, runBody, useMswServer } from "./msw-server.js";

const server = useMswServer();

describe("followAbort", () => {
  it("aborts every follower with the signal's reason, and none that stopped following", () => {
    const outer = new AbortController();
    const followers = Array.from({ length: 20 }, () => new AbortController());
    const unfollows = followers.map((follower) => followAbort(outer.signal, follower));
    unfollows[3]?.();
    const reason = new Error("stop");
    outer.abort(reason);
    followers.forEach((follower, index) => {
      expect(follower.signal.aborted).toBe(index !== 3);
      if (index !== 3) expect(follower.signal.reason).toBe(reason);
    });
  });

  it("aborts at once when the signal already has", () => {
    const follower = new AbortController();
    followAbort(AbortSignal.abort("gone"), follower);
    expect(follower.signal.reason).toBe("gone");
  });

  it("puts one listener on a signal that many calls in flight share, and aborts them all", async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrived = 0;
    server.use(
      http.get(`${BASE_URL}/ops/runs/${RUN_ID}`, async () => {
        arrived++;
        await held;
        return HttpResponse.json(runBody);
      }),
    );
    const client = new ControlRoomClient({ baseUrl: BASE_URL, token: "t" });
    const shared = new AbortController();
    const calls = Array.from({ length: 15 }, () =>
      client.runs.get(RUN_ID, { signal: shared.signal }).catch((error: unknown) => error),
    );
    await expect.poll(() => arrived).toBe(15);
    expect(getEventListeners(shared.signal, "abort")).toHaveLength(1);
    const reason = new Error("shutting down");
    shared.abort(reason);
    for (const outcome of await Promise.all(calls)) expect(outcome).toBe(reason);
    release();
  });
});
