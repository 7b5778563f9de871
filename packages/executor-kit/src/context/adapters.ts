/**
 * The adapters a worker hands to every phase as `ctx.adapters` (object stores, SQL
 * engines, table formats, sources). Augment this interface once in your project to
 * type them; `runWorker` and `runPhase` then require exactly these.
 *
 * @example
 * ```ts
 * declare module "@controlroom/executor-kit" {
 *   interface Adapters {
 *     lake: ObjectStore;
 *     sql: SqlEngine;
 *   }
 * }
 * ```
 */
export interface Adapters {
  [name: string]: unknown;
}
