import { ControlRoomError } from "./control-room-error.js";

/**
 * No response came: the connection was refused or dropped. Retried automatically;
 * thrown once the retries are spent.
 *
 * @example
 * ```ts
 * catch (error) { if (error instanceof ConnectionError) console.log("server unreachable", error.cause); }
 * ```
 */
export class ConnectionError extends ControlRoomError {
  override name = "ConnectionError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("connection_error", message, options);
  }
}

/** No response within `timeoutMs` for one attempt. Retried automatically like a dropped connection. */
export class TimeoutError extends ControlRoomError {
  override name = "TimeoutError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("timeout", message, options);
  }
}

/** The server answered with something that is not what the contract says. Not retried. */
export class UnexpectedResponseError extends ControlRoomError {
  override name = "UnexpectedResponseError";
  readonly status: number;
  constructor(
    status: number,
    message: string,
    options?: { cause?: unknown; requestId?: string | undefined },
  ) {
    super("unexpected_response", message, options);
    this.status = status;
  }
}
