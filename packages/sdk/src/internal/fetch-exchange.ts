import type { HttpExchange } from "./http-exchange.js";
import { readBody } from "./read-body.js";

/**
 * `globalThis.fetch`, looked up at each call and called as a method of globalThis:
 * browsers refuse a detached `fetch` ("Illegal invocation"), and a fetch patched
 * after the client was made (msw, tracing) is still the one used.
 */
export const globalFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);

/** Requests through a fetch implementation: browsers, other runtimes, a caller's fetch. */
export function fetchExchange(fetchImpl: typeof fetch): HttpExchange {
  return async ({ method, url, headers, body, abort }) => {
    // fetch needs a real AbortSignal: made here, so the Node path never pays for one.
    const signal = abort.signal;
    const init: RequestInit = { method, headers, signal };
    if (body !== undefined) init.body = body;
    const response = await fetchImpl(url, init);
    return {
      status: response.status,
      header: (name) => response.headers.get(name),
      text: () => readBody(response, signal),
      discard: () => {
        response.body?.cancel().catch(() => {});
      },
    };
  };
}
