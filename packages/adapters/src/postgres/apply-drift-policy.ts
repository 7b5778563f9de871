import type { SchemaDrift } from "./detect-schema-drift.js";
import { PostgresSourceError } from "./postgres-source-error.js";

/** What to do about one kind of drift. */
export type DriftAction = "ignore" | "warn" | "fail";

/** The caller's policy per kind of drift. */
export interface DriftPolicy {
  /**
   * New columns: bronze keeps them, so usually only worth a warning.
   * @default "warn"
   */
  added?: DriftAction | undefined;
  /**
   * Dropped columns: downstream models that read them break.
   * @default "fail"
   */
  removed?: DriftAction | undefined;
  /**
   * Changed types: values may no longer parse as the contract says.
   * @default "fail"
   */
  retyped?: DriftAction | undefined;
  /**
   * Nullability changes.
   * @default "warn"
   */
  nullability?: DriftAction | undefined;
}

/**
 * An event describing drift, ready for a run's trail once the caller adds `event_id`,
 * `ts` and `phase` (the contract's `NewEvent`).
 */
export interface SchemaDriftEvent {
  type: "SOURCE_SCHEMA_DRIFT";
  level: "warn" | "error";
  message: string;
  payload: {
    table: string;
    kind: "added" | "removed" | "retyped" | "nullability";
    action: "warn" | "fail";
    columns: string[];
    details: { name: string; from?: string; to?: string }[];
  };
}

/** The verdict of {@link applyDriftPolicy}. */
export interface DriftVerdict {
  /** `fail` when any kind the policy fails on occurred; `warn` when only warnings; else `ok`. */
  outcome: "ok" | "warn" | "fail";
  /** One event per kind of drift that is not ignored. */
  events: SchemaDriftEvent[];
}

const DEFAULTS = { added: "warn", removed: "fail", retyped: "fail", nullability: "warn" } as const;

/**
 * Applies a policy to a drift: which kinds are ignored, warned about or fail the phase,
 * with events to record either way. Validate phases call it, record the events, and
 * throw {@link schemaDriftError} when the outcome is `fail`.
 *
 * @example
 * ```ts
 * const verdict = applyDriftPolicy(detectSchemaDrift(previous, current), { added: "warn" });
 * for (const event of verdict.events) await ctx.events.emit(event);
 * if (verdict.outcome === "fail") throw schemaDriftError(verdict);
 * ```
 */
export function applyDriftPolicy(drift: SchemaDrift, policy: DriftPolicy = {}): DriftVerdict {
  const events: SchemaDriftEvent[] = [];
  const kinds = [
    ["added", drift.added.map((column) => ({ name: column.name, to: column.dataType }))],
    ["removed", drift.removed.map((column) => ({ name: column.name, from: column.dataType }))],
    ["retyped", drift.retyped.map(({ name, from, to }) => ({ name, from, to }))],
    [
      "nullability",
      drift.nullability.map(({ name, from, to }) => ({
        name,
        from: from ? "NULL" : "NOT NULL",
        to: to ? "NULL" : "NOT NULL",
      })),
    ],
  ] as const;
  for (const [kind, details] of kinds) {
    const action = policy[kind] ?? DEFAULTS[kind];
    if (details.length === 0 || action === "ignore") continue;
    const columns = details.map((detail) => detail.name);
    events.push({
      type: "SOURCE_SCHEMA_DRIFT",
      level: action === "fail" ? "error" : "warn",
      message: `${drift.table}: ${kind} column${columns.length === 1 ? "" : "s"} ${columns.join(", ")}`,
      payload: { table: drift.table, kind, action, columns, details: [...details] },
    });
  }
  const outcome = events.some((event) => event.payload.action === "fail")
    ? "fail"
    : events.length > 0
      ? "warn"
      : "ok";
  return { outcome, events };
}

/**
 * The error a validate phase throws for a failing verdict (code `POSTGRES_SCHEMA_DRIFT`),
 * its message listing what changed.
 *
 * @example
 * ```ts
 * if (verdict.outcome === "fail") throw schemaDriftError(verdict);
 * ```
 */
export function schemaDriftError(
  verdict: DriftVerdict,
): PostgresSourceError<"POSTGRES_SCHEMA_DRIFT"> {
  const failing = verdict.events.filter((event) => event.payload.action === "fail");
  return new PostgresSourceError(
    "POSTGRES_SCHEMA_DRIFT",
    `schema drift the policy does not allow: ${failing.map((event) => event.message).join("; ")}`,
  );
}
