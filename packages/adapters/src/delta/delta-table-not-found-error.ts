import { DeltaError } from "./delta-errors.js";

/**
 * No Delta table at a location: `_delta_log/` is missing or holds no commit or checkpoint.
 *
 * @example
 * ```ts
 * await openDeltaTable({ store, location: "nowhere" }).snapshot(); // throws DeltaTableNotFoundError
 * ```
 */
export class DeltaTableNotFoundError extends DeltaError<"DELTA_TABLE_NOT_FOUND"> {
  /** The table location that holds no table. */
  readonly location: string;

  constructor(location: string) {
    super("DELTA_TABLE_NOT_FOUND", `no Delta table at "${location}": _delta_log/ has no commits`);
    this.name = "DeltaTableNotFoundError";
    this.location = location;
  }
}
