import type { Agent } from "node:http";
import type { ExchangeResponse, HttpExchange } from "./http-exchange.js";

type HttpModule = typeof import("node:http");

/**
 * Requests through Node's own `http`/`https` modules with keep-alive agents: a
 * fraction of the CPU that `fetch` (undici and web streams) costs per call, which a
 * worker making three calls per phase pays thousands of times a second. Loaded on
 * first use, so bundles for browsers never need the modules.
 */
export function nodeHttpExchange(): HttpExchange {
  let loaded: Promise<{ http: HttpModule; https: HttpModule; agents: Map<string, Agent> }>;
  const load = () => {
    // The modules' objects, not their ESM namespaces: request interceptors (msw,
    // tracing agents) patch `http.request` on the object.
    loaded ??= Promise.all([import("node:http"), import("node:https")]).then(([h, hs]) => ({
      http: h.default,
      https: hs.default as unknown as HttpModule,
      agents: new Map<string, Agent>([
        ["http:", new h.default.Agent({ keepAlive: true })],
        ["https:", new hs.default.Agent({ keepAlive: true })],
      ]),
    }));
    return loaded;
  };
  return async ({ method, url, headers, body, signal }) => {
    const { http, https, agents } = await load();
    signal.throwIfAborted();
    const target = new URL(url);
    const module = target.protocol === "https:" ? https : http;
    return new Promise<ExchangeResponse>((resolve, reject) => {
      const request = module.request(target, {
        method,
        agent: agents.get(target.protocol),
        headers:
          body === undefined ? headers : { ...headers, "content-length": Buffer.byteLength(body) },
      });
      let failBody: ((error: unknown) => void) | undefined;
      const fail = (error: unknown) => {
        const reason = signal.aborted ? signal.reason : error;
        if (failBody) failBody(reason);
        else reject(reason);
      };
      const onAbort = () => request.destroy(signal.reason);
      const done = () => signal.removeEventListener("abort", onAbort);
      signal.addEventListener("abort", onAbort, { once: true });
      request.on("error", (error) => {
        done();
        fail(error);
      });
      request.on("response", (incoming) => {
        resolve({
          status: incoming.statusCode ?? 0,
          header(name) {
            const value = incoming.headers[name.toLowerCase()];
            if (value === undefined) return null;
            return Array.isArray(value) ? value.join(", ") : value;
          },
          text() {
            return new Promise<string>((resolveBody, rejectBody) => {
              let text = "";
              failBody = rejectBody;
              incoming.setEncoding("utf8");
              incoming.on("data", (chunk: string) => {
                text += chunk;
              });
              incoming.on("end", () => {
                done();
                resolveBody(text);
              });
              incoming.on("error", (error) => {
                done();
                fail(error);
              });
              // Closed before the end: the body was cut off.
              incoming.on("close", () => {
                if (!incoming.complete) {
                  done();
                  fail(new Error("the response body was cut off"));
                }
              });
            });
          },
          discard() {
            done();
            incoming.resume();
          },
        });
      });
      request.end(body);
    });
  };
}
