import { AdapterError } from "../internal/adapter-error.js";

/**
 * Thrown by {@link LocalObjectStore} for keys it cannot map to a file safely (empty
 * segments, `..`, backslashes, its own temporary-file names).
 *
 * @example
 * ```ts
 * await store.get("../etc/passwd"); // throws LocalObjectStoreError (code LOCAL_INVALID_KEY)
 * ```
 */
export class LocalObjectStoreError extends AdapterError<"LOCAL_INVALID_KEY"> {
  constructor(message: string) {
    super("LOCAL_INVALID_KEY", message);
    this.name = "LocalObjectStoreError";
  }
}
