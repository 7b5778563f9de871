/**
 * Every code an SDK error can carry: the contract's codes plus the client's own
 * (`connection_error`, `timeout`, `unexpected_response`).
 *
 * @example
 * ```ts
 * const retryLater = (code: ControlRoomErrorCode) => code === "unavailable" || code === "timeout";
 * ```
 */
export type ControlRoomErrorCode =
  | import("@controlroom/contract").ErrorCode
  | "connection_error"
  | "timeout"
  | "unexpected_response";

/**
 * The base class of every error the SDK throws. `code` is a contract error code (or
 * `connection_error`, `timeout`, `unexpected_response`), and `requestId` names the
 * request in the server's logs when the server answered.
 *
 * @example
 * ```ts
 * try {
 *   await client.runs.get(runId);
 * } catch (error) {
 *   if (isControlRoomError(error) && error.code === "not_found") console.log("no such run");
 * }
 * ```
 */
export class ControlRoomError extends Error {
  override name = "ControlRoomError";
  readonly code: ControlRoomErrorCode;
  readonly requestId: string | undefined;

  constructor(
    code: ControlRoomErrorCode,
    message: string,
    options?: { cause?: unknown; requestId?: string | undefined },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.requestId = options?.requestId;
  }
}

const BRAND = Symbol.for("@controlroom/sdk/error");
Object.defineProperty(ControlRoomError.prototype, BRAND, { value: true });

/**
 * True for any error the SDK threw, even from another copy of the package or another
 * realm (it checks a global symbol, not `instanceof`).
 *
 * @example
 * ```ts
 * if (isControlRoomError(error)) console.log(error.code, error.requestId);
 * ```
 */
export function isControlRoomError(value: unknown): value is ControlRoomError {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true
  );
}
