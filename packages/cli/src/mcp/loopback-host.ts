const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

/**
 * True when `host` (an interface to listen on) is a loopback address, so that only
 * this machine can connect.
 *
 * @example
 * ```ts
 * isLoopbackHost("127.0.0.1"); // true
 * isLoopbackHost("0.0.0.0"); // false
 * ```
 */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * True when a request's `Host` header names this machine by a loopback name or
 * address. A web page on another site cannot make a browser send that, which is what
 * defeats DNS rebinding against a server bound to loopback.
 *
 * @example
 * ```ts
 * hostIsAllowed("127.0.0.1:7401"); // true
 * hostIsAllowed("evil.example:7401"); // false
 * ```
 */
export function hostIsAllowed(header: string | undefined): boolean {
  if (header === undefined) return false;
  const name = header.startsWith("[")
    ? header.slice(0, header.indexOf("]") + 1)
    : header.split(":")[0];
  return name !== undefined && isLoopbackHost(name.toLowerCase());
}
