import { afterEach, describe, expect, it } from "vitest";
import { globalFetch } from "../src/internal/fetch-exchange.js";

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

// Outside Node (browsers, the web UI) the client sends through `globalFetch`.
describe("the default fetch outside Node", () => {
  it("is called as a method of globalThis, as browsers require", async () => {
    const receivers: unknown[] = [];
    // A browser's fetch throws "Illegal invocation" unless `this` is the window.
    globalThis.fetch = function (this: unknown) {
      receivers.push(this);
      return Promise.resolve(new Response("{}"));
    } as typeof fetch;
    await globalFetch("http://127.0.0.1:9/ops/runs");
    expect(receivers).toEqual([globalThis]);
  });

  it("is the fetch of the moment of the call, so one patched later is used", async () => {
    const fetchOfTheMoment = globalFetch;
    let calls = 0;
    globalThis.fetch = (async () => {
      calls++;
      return new Response("{}");
    }) as typeof fetch;
    await fetchOfTheMoment("http://127.0.0.1:9/ops/runs");
    expect(calls).toBe(1);
  });
});
