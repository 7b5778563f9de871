export {
  type ArtifactPutRequest,
  type ArtifactPutStreamRequest,
  type ArtifactStorage,
  artifactKey,
} from "./artifact-storage.js";
export type { CallOptions, ControlRoomClientOptions, RetryOptions } from "./client-options.js";
export { ControlRoomClient } from "./control-room-client.js";
export {
  ApiError,
  ConflictError,
  ForbiddenError,
  IdempotencyConflictError,
  InternalServerError,
  LeaseLostError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  UnauthorizedError,
  UnavailableError,
  ValidationError,
} from "./errors/api-error.js";
export { completionError, type RejectedCompletion } from "./errors/completion-error.js";
export {
  ConnectionError,
  TimeoutError,
  type TransportErrorOptions,
  UnexpectedResponseError,
} from "./errors/connection-error.js";
export {
  ControlRoomError,
  type ControlRoomErrorCode,
  isControlRoomError,
} from "./errors/control-room-error.js";
export { EventBuffer, type EventBufferOptions, type EventDraft } from "./event-buffer.js";
export { localArtifactStorage } from "./local-artifact-storage.js";
export {
  REBUILD_SPEC_SLUG,
  REBUILD_VERIFY_PHASE,
  type RebuildRequestOptions,
  type RebuildVerifyParams,
  rebuildCapability,
  rebuildRunRequest,
  requestRebuild,
} from "./requests/rebuild-request.js";
export {
  DERIVED_LAYERS,
  type PinnedTableVersion,
  pinnedInputs,
  type RecordedTable,
  recordedTables,
} from "./requests/recorded-tables.js";
export {
  ROLLBACK_CAPABILITY,
  ROLLBACK_PHASE,
  ROLLBACK_SPEC_SLUG,
  type RollbackParams,
  type RollbackRequestOptions,
  requestRollback,
  rollbackRunRequest,
} from "./requests/rollback-request.js";
export type { ArtifactData, PutArtifactRequest } from "./resources/artifacts.js";
export type { ClaimBatchBody, ClaimBody, ClaimRunBody } from "./resources/claims.js";
export type { IterateEventsOptions } from "./resources/events.js";
export type { CompletionClaimBody } from "./resources/leases.js";
export type { CreateRunOptions } from "./resources/runs.js";
export { uuidv7 } from "./uuidv7.js";
