import { z } from "zod";
import { named } from "./registry.js";

/**
 * Every error code of the contract with its HTTP status and title. The server and the
 * SDK both read this one table, so a code cannot mean two things.
 */
export const ERROR_CODES = {
  validation_failed: { status: 400, title: "Validation failed" },
  unauthorized: { status: 401, title: "Unauthorized" },
  forbidden: { status: 403, title: "Forbidden" },
  not_found: { status: 404, title: "Not found" },
  lease_lost: { status: 409, title: "Lease lost" },
  idempotency_conflict: { status: 409, title: "Idempotency conflict" },
  conflict: { status: 409, title: "Conflict" },
  payload_too_large: { status: 413, title: "Payload too large" },
  rate_limited: { status: 429, title: "Rate limited" },
  unavailable: { status: 503, title: "Unavailable" },
  internal: { status: 500, title: "Internal error" },
} as const satisfies Record<string, { status: number; title: string }>;

/** One of the contract's error codes, e.g. `"lease_lost"`. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The error codes as a list, in the order of {@link ERROR_CODES}. */
export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

/** The `type` URI prefix of every problem document; the code follows it. */
export const PROBLEM_TYPE_BASE = "https://controlroom.dev/problems/";

/** The media type of error responses (RFC 9457). */
export const PROBLEM_MEDIA_TYPE = "application/problem+json";

/** True when `value` is one of the contract's error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_CODES, value);
}

export const ErrorCodeSchema = named(
  "ErrorCode",
  "One of the contract's error codes.",
  z.enum(ERROR_CODE_LIST),
);

export const ValidationIssueSchema = named(
  "ValidationIssue",
  "One reason a request was rejected: where in the input, and why.",
  z.object({
    path: z.string().describe("Dotted path to the offending value, e.g. `phases.2.depends_on.0`."),
    message: z.string(),
  }),
);
export type ValidationIssue = z.infer<typeof ValidationIssueSchema>;

export const ProblemSchema = named(
  "Problem",
  "An RFC 9457 problem document; every error response has this shape.",
  z.object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: ErrorCodeSchema,
    errors: z.array(ValidationIssueSchema).optional(),
  }),
);
export type Problem = z.infer<typeof ProblemSchema>;

/**
 * Builds a problem document for `code`.
 *
 * @example
 * ```ts
 * const body = problem("not_found", "run 0190… does not exist");
 * // { type: ".../not_found", title: "Not found", status: 404, detail: "...", code: "not_found" }
 * ```
 */
export function problem(code: ErrorCode, detail: string, errors?: ValidationIssue[]): Problem {
  const { status, title } = ERROR_CODES[code];
  return {
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title,
    status,
    detail,
    code,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

/** Turns zod issues into the contract's `{ path, message }` list. */
export function issuesFromZod(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
}
