import type { Agent, ClientRequest, IncomingMessage, RequestOptions } from "node:http";
import type { AttemptAbort } from "./attempt-abort.js";
import type { ExchangeResponse, HttpExchange } from "./http-exchange.js";

type HttpModule = typeof import("node:http");

/** Where a request goes, less its path: the same for every call of one client. */
interface Origin {
  module: HttpModule;
  options: Pick<RequestOptions, "protocol" | "hostname" | "port" | "auth" | "agent">;
}

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
  // A client talks to one base URL: its origin is parsed once, not per request.
  let lastOrigin: { text: string; origin: Origin } | undefined;
  return async ({ method, url, headers, body, abort }) => {
    const { http, https, agents } = await load();
    abort.throwIfAborted();
    const pathStart = url.indexOf("/", url.indexOf("//") + 2);
    const originText = pathStart < 0 ? url : url.slice(0, pathStart);
    if (lastOrigin?.text !== originText) {
      lastOrigin = { text: originText, origin: parseOrigin(originText, http, https, agents) };
    }
    const { module, options } = lastOrigin.origin;
    return new Promise<ExchangeResponse>((resolve, reject) => {
      const request = module.request({
        ...options,
        path: pathStart < 0 ? "/" : url.slice(pathStart),
        method,
        headers:
          body === undefined ? headers : { ...headers, "content-length": Buffer.byteLength(body) },
      });
      new NodeExchange(request, abort, resolve, reject);
      request.end(body);
    });
  };
}

/**
 * One request in flight: settles the exchange's promise with the response, then the
 * body's. A class rather than closures, because a worker makes thousands a second.
 */
class NodeExchange {
  readonly #abort: AttemptAbort;
  // The promise a failure goes to: the response's until it came, then the body's.
  #reject: (error: unknown) => void;

  constructor(
    request: ClientRequest,
    abort: AttemptAbort,
    resolve: (response: ExchangeResponse) => void,
    reject: (error: unknown) => void,
  ) {
    this.#abort = abort;
    this.#reject = reject;
    abort.onAbort((reason) => request.destroy(reason as Error));
    request.on("error", (error) => this.fail(error));
    request.on("response", (incoming) => resolve(new NodeExchangeResponse(incoming, this)));
  }

  /** Rejects with the abort's reason when it aborted, else with `error`. */
  fail(error: unknown): void {
    this.done();
    this.#reject(this.#abort.aborted ? this.#abort.reason : error);
  }

  /** Nothing more to abort. */
  done(): void {
    this.#abort.onAbort(undefined);
  }

  /** The whole body as UTF-8 text. */
  readBody(incoming: IncomingMessage): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      this.#reject = reject;
      // Buffers joined once at the end: no string decoder per response, and a
      // character split across chunks is still decoded whole.
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () => {
        this.done();
        resolve((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString("utf8"));
      });
      incoming.on("error", (error) => this.fail(error));
      // Closed before the end: the body was cut off.
      incoming.on("close", () => {
        if (!incoming.complete) this.fail(new Error("the response body was cut off"));
      });
    });
  }
}

class NodeExchangeResponse implements ExchangeResponse {
  readonly status: number;
  readonly #incoming: IncomingMessage;
  readonly #exchange: NodeExchange;

  constructor(incoming: IncomingMessage, exchange: NodeExchange) {
    this.status = incoming.statusCode ?? 0;
    this.#incoming = incoming;
    this.#exchange = exchange;
  }

  header(name: string): string | null {
    const value = this.#incoming.headers[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  }

  text(): Promise<string> {
    return this.#exchange.readBody(this.#incoming);
  }

  discard(): void {
    this.#exchange.done();
    this.#incoming.resume();
  }
}

/** The request options of an origin (`http://host:port`), as `http.request(url)` would derive them. */
function parseOrigin(
  text: string,
  http: HttpModule,
  https: HttpModule,
  agents: Map<string, Agent>,
): Origin {
  const url = new URL(text);
  const options: Origin["options"] = {
    protocol: url.protocol,
    // An IPv6 literal keeps its brackets in URL.hostname; the socket wants the address.
    hostname: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
    agent: agents.get(url.protocol),
  };
  if (url.port !== "") options.port = Number(url.port);
  if (url.username !== "" || url.password !== "") {
    options.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  }
  return { module: url.protocol === "https:" ? https : http, options };
}
