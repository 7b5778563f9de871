import { ControlPlaneError } from "../control-plane-error.js";

/** The keyset position after the last run of a page: newest first by (created_at, run_id). */
export interface RunCursor {
  /** `created_at` with microseconds, so no two pages overlap or skip a run. */
  createdAt: string;
  runId: string;
}

/** Encodes a position as the opaque `next_cursor` string clients pass back. */
export function encodeRunCursor(cursor: RunCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.runId]), "utf8").toString(
    "base64url",
  );
}

/** Decodes `cursor`; a string this server did not hand out is `validation_failed`. */
export function decodeRunCursor(cursor: string): RunCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === "string" &&
      typeof value[1] === "string" &&
      !Number.isNaN(Date.parse(value[0]))
    ) {
      return { createdAt: value[0], runId: value[1] };
    }
  } catch {
    // Fall through to the error below.
  }
  throw new ControlPlaneError("validation_failed", "cursor is not a next_cursor of this server", {
    issues: [{ path: "cursor", message: "not a next_cursor of this server" }],
  });
}
