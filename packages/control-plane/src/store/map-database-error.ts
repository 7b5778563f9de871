import type { ErrorCode } from "@controlroom/contract";
import { ControlPlaneError, isControlPlaneError } from "../control-plane-error.js";

/**
 * SQLSTATEs raised by the `ops` functions (see migrations/0005_ops_api.sql) and the
 * Postgres ones that mean the caller's fault, mapped to contract error codes.
 */
const CODE_BY_SQLSTATE: Record<string, ErrorCode> = {
  OP400: "validation_failed",
  OP403: "forbidden",
  OP404: "not_found",
  OPL09: "lease_lost",
  OPI09: "idempotency_conflict",
  OPC09: "conflict",
  // insufficient_privilege: an RLS policy or a missing grant refused the row.
  "42501": "forbidden",
  // Bad input that slipped past validation (a malformed uuid, timestamp or number).
  "22P02": "validation_failed",
  "22007": "validation_failed",
  "22008": "validation_failed",
  "22003": "validation_failed",
  "23514": "validation_failed",
  "23502": "validation_failed",
  "23505": "conflict",
};

/** SQLSTATEs after which the whole transaction may simply be run again. */
export const RETRYABLE_SQLSTATES: ReadonlySet<string> = new Set(["40001", "40P01"]);

/** The SQLSTATE of a driver error (PGlite and postgres.js both put it on `code`). */
export function sqlStateOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && code.length === 5 ? code : undefined;
}

/** The contract error code a SQLSTATE means, if it means one. */
export function errorCodeOfSqlState(state: string): ErrorCode | undefined {
  return Object.hasOwn(CODE_BY_SQLSTATE, state) ? CODE_BY_SQLSTATE[state] : undefined;
}

/**
 * Turns a database error into a {@link ControlPlaneError} when its SQLSTATE has a
 * contract meaning; anything else is returned unchanged (the server answers `internal`).
 */
export function toControlPlaneError(error: unknown): unknown {
  if (isControlPlaneError(error)) return error;
  const state = sqlStateOf(error);
  const code = state === undefined ? undefined : errorCodeOfSqlState(state);
  if (code === undefined) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ControlPlaneError(code, message, { cause: error });
}
