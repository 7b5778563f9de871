import { isControlRoomError } from "@controlroom/sdk";

/**
 * Turns an SDK error into the message a person at a terminal needs: which server could
 * not be reached, or that the token was refused and where it came from. A missing run
 * is named by the caller (`notFound`). Anything else passes through unchanged.
 *
 * @example
 * ```ts
 * const run = await client.runs.get(runId).catch((error) => {
 *   throw explainClientError(error, url, `run ${runId} not found`);
 * });
 * ```
 */
export function explainClientError(error: unknown, url: string, notFound?: string): unknown {
  if (!isControlRoomError(error)) return error;
  const detail = (error as { problem?: { detail?: string } }).problem?.detail ?? error.message;
  switch (error.code) {
    case "connection_error":
    case "timeout":
      return new Error(`cannot reach the control plane at ${url}: ${error.message}`, {
        cause: error,
      });
    case "unauthorized":
      return new Error(
        `the control plane at ${url} refused the token (${detail}); check --token, CONTROLROOM_TOKEN or --data-dir`,
        { cause: error },
      );
    case "forbidden":
      return new Error(`not allowed: ${detail}`, { cause: error });
    case "not_found":
      return notFound === undefined
        ? error
        : new Error(`${notFound} (or not visible to the token's tenant)`, { cause: error });
    default:
      return error;
  }
}
