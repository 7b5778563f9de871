import { connect, createServer, type Server, type Socket } from "node:net";

/** What the proxy does to the client packet that contains a statement. */
export type ProxyAction =
  /** Hold it (and everything after it) until `release()`. */
  | "hold"
  /** Drop the connection without sending it: the server never runs the statement. */
  | "cut-before"
  /**
   * Send it, let the exchange go on until the server reports the statement done (its
   * CommandComplete, `UPDATE n` or `INSERT 0 n`), then drop the connection instead of
   * passing that answer on: the server committed, the client never hears so.
   */
  | "cut-after";

// A CommandComplete message for a write (the statement ran) ends with its tag and a
// NUL byte: `UPDATE 1`, `INSERT 0 1`.
const isCommandComplete = (chunk: Buffer) =>
  chunk
    .toString("latin1")
    .split(String.fromCharCode(0))
    .some((part) => /(?:UPDATE|INSERT 0) \d+$/.test(part));

/** A TCP proxy in front of the test Postgres that can interfere with one statement. */
export interface PgFaultProxy {
  /** The database URL, through the proxy. */
  url: string;
  /**
   * Arms a rule for the next client packet containing `text`; resolves when one
   * passes, with `release()` for held packets.
   */
  onStatement(text: string, action: ProxyAction): Promise<{ release(): void }>;
  close(): Promise<void>;
}

/**
 * Starts a proxy on 127.0.0.1 that forwards every connection to the server in `url`.
 * Real sockets, a real server: it only delays or cuts the bytes, the way a slow network
 * or a dropped connection would. Clients should not cache prepared statements
 * (postgres.js `prepare: false`), so every statement's text crosses the wire.
 */
export async function startPgFaultProxy(url: string): Promise<PgFaultProxy> {
  const target = new URL(url);
  const sockets = new Set<Socket>();
  let rule:
    | { text: string; action: ProxyAction; seen: (control: { release(): void }) => void }
    | undefined;
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    let held: Buffer[] | undefined;
    let cutAfterAnswer = false;
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("data", (chunk: Buffer) => {
      if (held !== undefined) {
        held.push(chunk);
        return;
      }
      const armed = rule;
      if (armed !== undefined && chunk.toString("latin1").includes(armed.text)) {
        rule = undefined;
        if (armed.action === "hold") {
          held = [chunk];
          armed.seen({
            release() {
              const queued = held ?? [];
              held = undefined;
              for (const part of queued) upstream.write(part);
            },
          });
          return;
        }
        armed.seen({ release() {} });
        if (armed.action === "cut-before") {
          cut();
          return;
        }
        cutAfterAnswer = true;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (cutAfterAnswer && isCommandComplete(chunk)) {
        cut();
        return;
      }
      client.write(chunk);
    });
    const end = () => cut();
    client.on("error", end);
    upstream.on("error", end);
    client.on("close", end);
    upstream.on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const proxied = new URL(url);
  proxied.hostname = "127.0.0.1";
  proxied.port = String(typeof address === "object" && address !== null ? address.port : 0);
  return {
    url: proxied.toString(),
    onStatement(text, action) {
      return new Promise((seen) => {
        rule = { text, action, seen };
      });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
