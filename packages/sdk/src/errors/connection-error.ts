import { ControlRoomError } from "./control-room-error.js";

/**
 * What {@link ConnectionError}, {@link TimeoutError} and {@link UnexpectedResponseError}
 * are built with.
 *
 * @example
 * ```ts
 * new ConnectionError("GET /ops/runs: ECONNREFUSED", { cause, requestId: "0190….1" });
 * ```
 */
export interface TransportErrorOptions {
  cause?: unknown;
  /** The `x-request-id` the SDK sent with the attempt, to find it in the server's logs. */
  requestId?: string | undefined;
}

/**
 * No response came: the connection was refused or dropped, or the body was cut off.
 * Retried automatically; thrown once the retries are spent. `requestId` is the id the
 * SDK sent, so a request that reached the server can still be found in its logs.
 *
 * @example
 * ```ts
 * try {
 *   await client.runs.get(runId);
 * } catch (error) {
 *   if (error instanceof ConnectionError) console.error("unreachable", error.requestId, error.cause);
 * }
 * ```
 */
export class ConnectionError extends ControlRoomError {
  override name = "ConnectionError";
  constructor(message: string, options: TransportErrorOptions = {}) {
    super("connection_error", message, options);
  }
}

/**
 * No response within `timeoutMs` (plus a long-poll's wait) for one attempt. Retried
 * automatically like a dropped connection; thrown once the retries are spent.
 *
 * @example
 * ```ts
 * const client = new ControlRoomClient({ timeoutMs: 5_000 });
 * await client.runs.get(runId).catch((error) => {
 *   if (error instanceof TimeoutError) console.error("slow server", error.requestId);
 * });
 * ```
 */
export class TimeoutError extends ControlRoomError {
  override name = "TimeoutError";
  constructor(message: string, options: TransportErrorOptions = {}) {
    super("timeout", message, options);
  }
}

/**
 * The server answered with something the contract does not define: a body that does
 * not match its schema, a status the endpoint does not list, or an error status with
 * no contract code (408 is the one such status that is retried). Usually a proxy in
 * the way, or a server speaking another contract version.
 *
 * @example
 * ```ts
 * await client.runs.get(runId).catch((error) => {
 *   if (error instanceof UnexpectedResponseError) console.error(error.status, error.message);
 * });
 * ```
 */
export class UnexpectedResponseError extends ControlRoomError {
  override name = "UnexpectedResponseError";
  /** The HTTP status of the response. */
  readonly status: number;
  constructor(status: number, message: string, options: TransportErrorOptions = {}) {
    super("unexpected_response", message, options);
    this.status = status;
  }
}
