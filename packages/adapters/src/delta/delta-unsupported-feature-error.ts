import { DeltaError } from "./delta-errors.js";

/**
 * The table needs a Delta feature this adapter does not implement (deletion vectors,
 * column mapping, V2 checkpoints, a reader version above 3…). Reading it anyway would
 * return wrong rows, so it is refused; `feature` names what is missing.
 *
 * @example
 * ```ts
 * try {
 *   await table.snapshot();
 * } catch (error) {
 *   if (error instanceof DeltaUnsupportedFeatureError) console.error(`needs ${error.feature}`);
 * }
 * ```
 */
export class DeltaUnsupportedFeatureError extends DeltaError<"DELTA_UNSUPPORTED_FEATURE"> {
  /** The feature (or `readerVersion 99`-style requirement) that is not supported. */
  readonly feature: string;

  constructor(feature: string, message: string) {
    super("DELTA_UNSUPPORTED_FEATURE", message);
    this.name = "DeltaUnsupportedFeatureError";
    this.feature = feature;
  }
}
