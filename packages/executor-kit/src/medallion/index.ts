export type { RowDifference } from "./audit-tables.js";
export { currentViewSql } from "./current-view-sql.js";
export {
  defineMedallionExecutor,
  MEDALLION_PHASES,
  type MedallionExecutor,
  type MedallionPhaseName,
  medallionPhases,
} from "./define-medallion-executor.js";
export {
  defineRollbackExecutor,
  type RollbackExecutor,
  type RollbackExecutorOptions,
} from "./define-rollback-executor.js";
export type {
  MedallionCheck,
  MedallionConfig,
  MedallionDriftAction,
  MedallionModel,
  MedallionSource,
  MedallionStream,
  StreamFreshness,
} from "./medallion-config.js";
export { BRONZE_AUDIT_COLUMNS, VOLATILE_AUDIT_COLUMNS } from "./medallion-layout.js";
export type {
  IngestOutput,
  ModelOutput,
  ValidateOutput,
} from "./medallion-outputs.js";
export type { PublishedTable } from "./publish-phase.js";
export {
  type RebuildExecutor,
  type RebuildVariantOptions,
  rebuildVariant,
} from "./rebuild-variant.js";
export type { RollbackOutput, RollbackPhaseParams } from "./restore-tables-phase.js";
export type {
  ComparedOutput,
  VerifyRebuildOutput,
  VerifyRebuildParams,
} from "./verify-rebuild-phase.js";
