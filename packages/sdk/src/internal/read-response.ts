import {
  CONTRACT_VERSION_HEADER,
  ENDPOINTS,
  type EndpointName,
  ERROR_CODES,
  type ErrorCode,
  isErrorCode,
  type Problem,
} from "@controlroom/contract";
import { type ApiError, createApiError } from "../errors/api-error.js";
import { UnexpectedResponseError } from "../errors/connection-error.js";
import type { EndpointResult } from "./endpoint-result.js";
import type { ExchangeResponse } from "./http-exchange.js";
import { parseRetryAfter } from "./retry-decision.js";

interface SafeParser {
  safeParse(
    value: unknown,
  ):
    | { success: true; data: unknown }
    | { success: false; error: { issues: readonly { message: string }[] } };
}

/** What a failed or odd response is reported with. */
export interface ResponseContext {
  /** `"POST /ops/runs"`, for messages. */
  label: string;
  requestId: string | undefined;
}

// 409 is shared by three codes; a body without a code falls back to the generic one.
const STATUS_TO_CODE = new Map<number, ErrorCode>(
  (Object.entries(ERROR_CODES) as [ErrorCode, { status: number }][])
    .filter(([code]) => code !== "lease_lost" && code !== "idempotency_conflict")
    .map(([code, { status }]) => [status, code]),
);

/**
 * Parses a 2xx response with the schema the contract lists for its status. A status
 * the endpoint does not define, or a body that does not match, is an
 * `UnexpectedResponseError` (never retried: the server is speaking another contract).
 */
export async function readSuccess<N extends EndpointName>(
  endpoint: N,
  response: ExchangeResponse,
  context: ResponseContext,
): Promise<EndpointResult<N>> {
  const responses = ENDPOINTS[endpoint].responses as Record<
    number,
    { schema: SafeParser | null } | undefined
  >;
  const defined = responses[response.status];
  if (!defined) {
    response.discard();
    throw new UnexpectedResponseError(
      response.status,
      `${context.label}: HTTP ${response.status} is not an answer the contract defines (server contract ${versionOf(response)})`,
      { requestId: context.requestId },
    );
  }
  if (defined.schema === null) {
    response.discard();
    return null as EndpointResult<N>;
  }
  // A body cut off mid-way rejects here; the transport treats it as a dropped response.
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new UnexpectedResponseError(
      response.status,
      `${context.label}: the response body is not JSON (server contract ${versionOf(response)})`,
      { requestId: context.requestId },
    );
  }
  const parsed = defined.schema.safeParse(body);
  if (!parsed.success) {
    const first = parsed.error.issues[0]?.message ?? "invalid";
    throw new UnexpectedResponseError(
      response.status,
      `${context.label}: response does not match the contract (${first}); server contract ${versionOf(response)}`,
      { requestId: context.requestId },
    );
  }
  return parsed.data as EndpointResult<N>;
}

/** The server's contract version, for error messages only (so read only for them). */
function versionOf(response: ExchangeResponse): string {
  return response.header(CONTRACT_VERSION_HEADER) ?? "unknown";
}

/**
 * Turns an error response into the `ApiError` subclass of its contract code (from the
 * problem document, else from the status), or `UnexpectedResponseError` for a status
 * the contract has no code for.
 */
export async function readFailure(
  response: ExchangeResponse,
  context: ResponseContext,
): Promise<ApiError | UnexpectedResponseError> {
  let problem: Problem | undefined;
  const text = await response.text();
  try {
    const body = JSON.parse(text) as Partial<Problem> | null;
    if (body && typeof body === "object" && isErrorCode(body.code)) problem = body as Problem;
  } catch {
    // Not JSON (a proxy's HTML page, say): fall back to the status.
  }
  const code =
    problem?.code ??
    STATUS_TO_CODE.get(response.status) ??
    (response.status >= 500 ? "internal" : undefined);
  if (!code) {
    return new UnexpectedResponseError(
      response.status,
      `${context.label}: HTTP ${response.status}`,
      { requestId: context.requestId },
    );
  }
  return createApiError({
    status: response.status,
    code,
    message: `${context.label}: ${problem?.detail ?? `HTTP ${response.status}`}`,
    requestId: context.requestId,
    problem,
    retryAfterMs: parseRetryAfter(response.header("retry-after")),
  });
}
