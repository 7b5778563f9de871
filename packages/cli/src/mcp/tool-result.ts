import type { ValidationIssue } from "@controlroom/contract";
import { isControlRoomError } from "@controlroom/sdk";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { isToolInputError } from "./tool-input-error.js";

/** What a failed tool call reports, in `structuredContent.error`. */
export interface ToolErrorBody {
  /** A contract error code (`lease_lost`, `not_found`, …) or the SDK's own (`connection_error`, `timeout`). */
  code: string;
  /** What went wrong, as the control plane (or the SDK) said it. */
  detail: string;
  /** The HTTP status, when the control plane answered. */
  status?: number;
  /** Which arguments were wrong, for `validation_failed`. */
  errors?: ValidationIssue[];
  /** The request id to find the call in the control plane's logs. */
  request_id?: string;
}

/**
 * The result of a successful tool call: the response body as JSON text (what a model
 * reads) and, for an object, as `structuredContent` too (what a program reads).
 * `null` is the endpoint's "nothing" (a claim that found no runnable phase).
 *
 * @example
 * ```ts
 * return toolSuccess(await client.runs.get(runId), "no run");
 * ```
 */
export function toolSuccess(value: unknown, nothing: string): CallToolResult {
  if (value === null || value === undefined) return { content: [{ type: "text", text: nothing }] };
  const result: CallToolResult = { content: [{ type: "text", text: JSON.stringify(value) }] };
  if (typeof value === "object" && !Array.isArray(value)) {
    result.structuredContent = value as Record<string, unknown>;
  }
  return result;
}

/**
 * The result of a failed tool call: `isError: true`, and text that starts with the
 * contract's error code, then the message and any invalid arguments, e.g.
 * `lease_lost (409): the lease is no longer held`. Never throws: an unexpected
 * error becomes `internal`.
 *
 * @example
 * ```ts
 * try { … } catch (error) { return toolError(error); }
 * ```
 */
export function toolError(error: unknown): CallToolResult {
  const body = errorBody(error);
  const lines = [
    `${body.code}${body.status === undefined ? "" : ` (${body.status})`}: ${body.detail}`,
  ];
  for (const issue of body.errors ?? [])
    lines.push(`- ${issue.path || "(arguments)"}: ${issue.message}`);
  if (body.request_id !== undefined) lines.push(`request id: ${body.request_id}`);
  return {
    content: [{ type: "text", text: lines.join("\n") }],
    structuredContent: { error: body },
    isError: true,
  };
}

function errorBody(error: unknown): ToolErrorBody {
  if (isToolInputError(error)) {
    return { code: error.code, detail: error.message, errors: error.issues };
  }
  if (isControlRoomError(error)) {
    const { status, problem } = error as {
      status?: number;
      problem?: { detail?: string; errors?: ValidationIssue[] };
    };
    return {
      code: error.code,
      detail: problem?.detail ?? error.message,
      ...(status === undefined ? {} : { status }),
      ...(problem?.errors === undefined ? {} : { errors: problem.errors }),
      ...(error.requestId === undefined ? {} : { request_id: error.requestId }),
    };
  }
  return { code: "internal", detail: error instanceof Error ? error.message : String(error) };
}
