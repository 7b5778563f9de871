import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

/** One request that went through the proxy. */
export interface ProxiedRequest {
  method: string;
  path: string;
  /** For POST /ops/completions: whether the body carried a `claim` (before any stripping). */
  claim: boolean;
  /** When the request arrived, from the proxy's start (ms). */
  at: number;
}

/** Options of {@link countingProxy}. */
export interface CountingProxyOptions {
  /**
   * Remove `claim` from POST /ops/completions bodies: the control plane behind then
   * answers as one older than the claim would (it ignored the field).
   * @default false
   */
  stripClaim?: boolean;
}

/**
 * An HTTP proxy in front of a control plane that records every request (method, path,
 * and whether a completion request carried a claim), so a test counts the round trips a
 * worker really made.
 */
export async function countingProxy(upstream: string, options: CountingProxyOptions = {}) {
  const requests: ProxiedRequest[] = [];
  const started = Date.now();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://proxy").pathname;
      let body = Buffer.concat(chunks);
      let claim = false;
      if (req.method === "POST" && path === "/ops/completions" && body.length > 0) {
        const parsed = JSON.parse(body.toString("utf8")) as { claim?: unknown };
        claim = parsed.claim !== undefined;
        if (claim && options.stripClaim) {
          delete parsed.claim;
          body = Buffer.from(JSON.stringify(parsed));
        }
      }
      requests.push({ method: req.method ?? "GET", path, claim, at: Date.now() - started });
      const target = new URL(req.url ?? "/", upstream);
      const headers = { ...req.headers, host: target.host };
      if (body.length > 0) headers["content-length"] = String(body.length);
      const forward = request(target, { method: req.method, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on("error", (error) => res.destroy(error));
      res.on("close", () => forward.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** The requests to `method path` so far. */
    count: (method: string, path: string) =>
      requests.filter((r) => r.method === method && r.path === path).length,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
