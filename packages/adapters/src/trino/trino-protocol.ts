import type { TrinoTypeSignature } from "./trino-value-reader.js";

/** A result column as the client protocol sends it. */
export interface TrinoProtocolColumn {
  name: string;
  type: string;
  typeSignature?: TrinoTypeSignature | undefined;
}

/** Why Trino failed a query (`error` of a page). */
export interface TrinoProtocolFailure {
  message?: string | undefined;
  errorCode?: number | undefined;
  errorName?: string | undefined;
  errorType?: string | undefined;
}

/**
 * One response of Trino's client protocol (`POST /v1/statement`, then `GET nextUri`
 * until there is none): maybe columns, maybe rows, maybe the failure.
 */
export interface TrinoPage {
  id: string;
  nextUri?: string | undefined;
  columns?: TrinoProtocolColumn[] | undefined;
  data?: unknown[][] | undefined;
  error?: TrinoProtocolFailure | undefined;
  updateType?: string | undefined;
  updateCount?: number | string | undefined;
}

/**
 * True when `value` looks like a client-protocol page (an object with a query id).
 *
 * @example
 * ```ts
 * if (!isTrinoPage(body)) throw new Error("not Trino");
 * ```
 */
export function isTrinoPage(value: unknown): value is TrinoPage {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { id?: unknown }).id === "string" &&
    (!("data" in value) || Array.isArray((value as { data?: unknown }).data))
  );
}
