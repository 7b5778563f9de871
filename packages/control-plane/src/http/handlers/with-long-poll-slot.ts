import { ControlPlaneError } from "../../control-plane-error.js";
import type { HandlerDeps } from "./handler-deps.js";

/**
 * Runs `work` holding one of the server's long-poll slots when `waitMs` > 0, or throws
 * 503 `unavailable` (the app adds `Retry-After`) when all are taken. Requests that do
 * not wait need no slot.
 *
 * @example
 * ```ts
 * const lease = await withLongPollSlot(deps, body.wait_ms ?? 0, () => longPoll({ ... }));
 * ```
 */
export async function withLongPollSlot<T>(
  deps: HandlerDeps,
  waitMs: number,
  work: () => Promise<T>,
): Promise<T> {
  if (waitMs <= 0) return work();
  const release = deps.longPolls.tryAcquire();
  if (!release) {
    throw new ControlPlaneError(
      "unavailable",
      `this server already holds ${deps.longPolls.limit} long-polls; retry shortly`,
    );
  }
  try {
    return await work();
  } finally {
    release();
  }
}
