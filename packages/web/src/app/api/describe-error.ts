import { isControlRoomError } from "@controlroom/sdk";
import { UiApiError } from "./ui-api-client.js";

/** An error as the UI shows it: a sentence, whether signing in again helps, and its request id. */
export interface ErrorDescription {
  message: string;
  /** The token was refused: the way out is signing in again. */
  signInAgain: boolean;
  requestId: string | undefined;
}

/**
 * Turns whatever a call threw into something to show: the server's problem detail with
 * what it means (401: the token was refused; 403: the role may not; 404: not there or
 * another tenant's), or a plain note that the server could not be reached.
 *
 * @example
 * ```ts
 * describeError(error).message; // "Not allowed: … (your role cannot do this)"
 * ```
 */
export function describeError(error: unknown): ErrorDescription {
  if (isControlRoomError(error) || error instanceof UiApiError) {
    const code = error.code;
    const requestId = isControlRoomError(error) ? error.requestId : undefined;
    const detail = error.message;
    switch (code) {
      case "unauthorized":
        return {
          message: `The server refused the token: ${detail}. Sign in again with a valid token.`,
          signInAgain: true,
          requestId,
        };
      case "forbidden":
        return { message: `Not allowed for your role: ${detail}`, signInAgain: false, requestId };
      case "not_found":
        return { message: `Not found: ${detail}`, signInAgain: false, requestId };
      case "connection_error":
      case "timeout":
        return {
          message: `The control plane could not be reached (${detail}). Is \`controlroom serve\` still running?`,
          signInAgain: false,
          requestId,
        };
      default:
        return { message: `${code}: ${detail}`, signInAgain: false, requestId };
    }
  }
  if (error instanceof Error)
    return { message: error.message, signInAgain: false, requestId: undefined };
  return { message: String(error), signInAgain: false, requestId: undefined };
}
