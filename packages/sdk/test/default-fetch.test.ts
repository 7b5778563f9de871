import { afterEach, describe, expect, it } from "vitest";
import { ControlRoomClient } from "../src/index.js";

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

describe("the default fetch", () => {
  it("is called as a method of globalThis, as browsers require", async () => {
    const receivers: unknown[] = [];
    // A browser's fetch throws "Illegal invocation" unless `this` is the window.
    globalThis.fetch = function (this: unknown) {
      receivers.push(this);
      return Promise.resolve(
        new Response(JSON.stringify({ items: [], next_cursor: null }), {
          headers: { "content-type": "application/json" },
        }),
      );
    } as typeof fetch;
    const client = new ControlRoomClient({ baseUrl: "http://127.0.0.1:9", token: "t" });
    await client.runs.list();
    expect(receivers).toEqual([globalThis]);
  });

  it("is the fetch of the moment of the call, so one patched later is used", async () => {
    const client = new ControlRoomClient({ baseUrl: "http://127.0.0.1:9", token: "t" });
    let calls = 0;
    globalThis.fetch = (async () => {
      calls++;
      return new Response(JSON.stringify({ items: [], next_cursor: null }), {
        headers: { "content-type": "application/json" },
      });
    }) as typeof fetch;
    await client.runs.list();
    expect(calls).toBe(1);
  });
});
