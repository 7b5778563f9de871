export type { Adapters } from "./context/adapters.js";
export type {
  ArtifactPutOptions,
  LogFields,
  ManifestEntry,
  OutputManifestBuilder,
  PhaseArtifacts,
  PhaseContext,
  PhaseEventFields,
  PhaseLineage,
  PhaseLogger,
  PhaseSecrets,
  StoredArtifact,
} from "./context/phase-context.js";
export { type BuildPhaseSpecOptions, buildPhaseSpec } from "./definition/build-phase-spec.js";
export {
  defineExecutor,
  type ExecutorDefinition,
  type ExecutorOptions,
  type PhaseMap,
} from "./definition/define-executor.js";
export {
  type AnyPhaseDefinition,
  type JsonObjectSchema,
  type PhaseDefinition,
  type PhaseOptions,
  type PhaseOutput,
  type PhaseParams,
  type PhaseParamsInput,
  phase,
  type UntypedSchema,
} from "./definition/phase.js";
export {
  ExecutorKitError,
  type ExecutorKitErrorCode,
  type ExecutorKitErrorOptions,
  isExecutorKitError,
} from "./errors/executor-kit-error.js";
export { NonRetryableError } from "./errors/non-retryable-error.js";
export { RetryAfterError } from "./errors/retry-after-error.js";
export {
  canonicalRowJson,
  createRowSetHash,
  ROW_SET_HASH_V1,
  type RowSetDigest,
  rowSetDigestFromSum,
} from "./hashing/row-set-hash.js";
export { datasetNameFromUri } from "./lineage/dataset-name-from-uri.js";
export { type LakehouseDatasetOptions, lakehouseDataset } from "./lineage/lakehouse-dataset.js";
export {
  createOpenLineageEmitter,
  DEFAULT_OPENLINEAGE_PRODUCER,
  isOpenLineageEmitter,
  type OpenLineageEmitter,
  type OpenLineageEmitterOptions,
  type OpenLineageEmitterStats,
  type OpenLineageLogger,
} from "./lineage/openlineage-emitter.js";
export {
  OPENLINEAGE_RUN_EVENT_SCHEMA_URL,
  OPENLINEAGE_SPEC_VERSION,
  type OpenLineageDataset,
  type OpenLineageEventType,
  type OpenLineageFacet,
  type OpenLineageFacets,
  type OpenLineageInputDataset,
  type OpenLineageOutputDataset,
  type OpenLineageRunEvent,
} from "./lineage/openlineage-event.js";
export type {
  OpenLineageFileTransport,
  OpenLineageHttpTransport,
  OpenLineageSend,
  OpenLineageTransport,
} from "./lineage/openlineage-transport.js";
export { phaseRunId } from "./lineage/phase-run-id.js";
export {
  type RunLineageEventOptions,
  runLineageEvent,
  runStatusLineageEventType,
} from "./lineage/run-lineage-event.js";
export type {
  AppendRowsOptions,
  ContentHashOptions,
  DerivedViewRef,
  Lakehouse,
  LakehouseSession,
  LakehouseSessionOptions,
  RestoreTableOptions,
  SessionViewRef,
  TableContentHash,
  TableRestoreResult,
  TableVersionRef,
  TableWriteResult,
  WriteQueryOptions,
} from "./ports/lakehouse.js";
export type {
  ObjectInfo,
  ObjectStore,
  ObjectStoreCallOptions,
  ObjectStoreGetOptions,
  ObjectStoreListOptions,
  ObjectStorePutOptions,
  SignedUrlOptions,
} from "./ports/object-store.js";
export type { SecretProvider } from "./ports/secret-provider.js";
export type {
  Source,
  SourceBatch,
  SourceCursor,
  SourceReadOptions,
  SourceStream,
  WriteDateIdCursor,
} from "./ports/source.js";
export type {
  SqlBatch,
  SqlColumn,
  SqlEngine,
  SqlQueryOptions,
  SqlResult,
  SqlRow,
  SqlStreamOptions,
  SqlValue,
} from "./ports/sql-engine.js";
export type {
  CommitProvenance,
  DataFile,
  TableCommit,
  TableField,
  TableFormat,
  TableHistoryEntry,
  TableRef,
  TableSchema,
  TableSnapshot,
  TableSnapshotOptions,
} from "./ports/table-format.js";
export { type EnvSecretProviderOptions, envSecretProvider } from "./stores/env-secret-provider.js";
export {
  createMemoryObjectStore,
  type MemoryObjectStoreOptions,
} from "./stores/memory-object-store.js";
export {
  type ObjectStoreArtifactStorage,
  toArtifactStorage,
} from "./stores/to-artifact-storage.js";
export { runWorker } from "./worker/run-worker.js";
export type { RunWorkerOptions } from "./worker/run-worker-options.js";
export type {
  WorkerArtifactPut,
  WorkerClient,
  WorkerEventBuffer,
  WorkerEventDraft,
} from "./worker/worker-client.js";
export type { WorkerSummary } from "./worker/worker-summary.js";
