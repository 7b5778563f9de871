import type { PhaseError } from "@controlroom/contract";
import { isExecutorKitError } from "../errors/executor-kit-error.js";
import type { Redactor } from "./redactor.js";

const MAX_MESSAGE = 16_384;
const MAX_CODE = 128;

/** Kit error codes after which another attempt cannot do better. */
const NON_RETRYABLE_CODES = new Set([
  "non_retryable",
  "unknown_phase",
  "invalid_params",
  "invalid_output",
  "secret_missing",
  "no_artifact_store",
  "invalid_definition",
]);

/**
 * Turns whatever a phase threw into the `error` of a failed complete: retryable unless
 * the error says otherwise, with `retry_after_ms` from a RetryAfterError, and with
 * secrets redacted from the message.
 */
export function toPhaseError(error: unknown, redactor: Redactor): PhaseError {
  if (isExecutorKitError(error)) {
    const result: PhaseError = {
      message: redactor.redactString(error.message).slice(0, MAX_MESSAGE),
      code: error.code,
      retryable: !NON_RETRYABLE_CODES.has(error.code),
    };
    const retryAfterMs = (error as { retryAfterMs?: unknown }).retryAfterMs;
    if (typeof retryAfterMs === "number") result.retry_after_ms = retryAfterMs;
    if (error.code === "worker_shutdown") result.retry_after_ms = 0;
    return result;
  }
  const message = redactor.redactString(describe(error)).slice(0, MAX_MESSAGE);
  const code = (error as { code?: unknown } | null)?.code;
  return {
    message,
    ...(typeof code === "string" && code.length > 0 ? { code: code.slice(0, MAX_CODE) } : {}),
    retryable: true,
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    // The class name is the most useful part of a bare `TypeError: x is undefined`.
    return error.name && error.name !== "Error" && !error.message.startsWith(error.name)
      ? `${error.name}: ${error.message}`
      : error.message || error.name;
  }
  if (typeof error === "string") return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
