import type { CompletionResult } from "@controlroom/contract";
import { type ApiError, createApiError } from "./api-error.js";

/** A completion of a batch that the server refused, with the problem it answered. */
export type RejectedCompletion = Extract<CompletionResult, { outcome: "rejected" }>;

/**
 * The error `leases.complete` would have thrown for a completion that
 * `leases.completeBatch` answered `rejected`: a `LeaseLostError` for `lease_lost`, a
 * `NotFoundError` for `not_found`, and so on, with the problem document as `problem`.
 * Handle a rejected completion exactly as the failed single complete. `requestId` is
 * left out: the batch's response carried it, not the completion.
 *
 * @example
 * ```ts
 * const results = await client.leases.completeBatch(completions);
 * for (const result of results) {
 *   if (result.outcome === "rejected") {
 *     const error = completionError(result);
 *     if (error instanceof LeaseLostError) console.warn("lost", result.run_id);
 *   }
 * }
 * ```
 */
export function completionError(result: RejectedCompletion): ApiError {
  const { error: problem } = result;
  return createApiError({
    status: problem.status,
    code: problem.code,
    message: `POST /ops/completions (run ${result.run_id}): ${problem.detail}`,
    requestId: undefined,
    problem,
    retryAfterMs: undefined,
  });
}
