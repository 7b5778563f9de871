export { JWT_SECRET_FILE, loadOrCreateJwtSecret, readJwtSecret } from "./auth/jwt-secret.js";
export {
  EXPIRES_IN_PATTERN,
  expiresInSeconds,
  type SignTokenOptions,
  signToken,
} from "./auth/sign-token.js";
export { type VerifyTokenOptions, verifyToken } from "./auth/verify-token.js";
export { ControlPlaneError, isControlPlaneError } from "./control-plane-error.js";
export {
  APP_DEFAULTS,
  type ControlPlaneAppOptions,
  type ControlPlaneLogger,
} from "./http/control-plane-app-options.js";
export { type ControlPlaneApp, createControlPlaneApp } from "./http/create-control-plane-app.js";
export type { ControlPlaneEnv } from "./http/endpoint-handler.js";
export { PROMETHEUS_CONTENT_TYPE } from "./http/prometheus-text.js";
export type {
  AuthClaims,
  ListRunsFilter,
  OpsMetricsSnapshot,
  OpsStore,
  SourceFreshnessSample,
  WakeSignal,
} from "./ops-store.js";
export { LeaseReaper, type LeaseReaperOptions } from "./server/lease-reaper.js";
export {
  type IssueTokenOptions,
  type RunningControlPlane,
  type StartControlPlaneOptions,
  startControlPlane,
} from "./server/start-control-plane.js";
export { openPgliteStore, type PgliteStoreOptions } from "./store/pglite-store.js";
export { openPostgresStore, type PostgresStoreOptions } from "./store/postgres-store.js";
export {
  migrationsDirectory,
  type RunMigrationsOptions,
  type RunMigrationsResult,
  runMigrations,
} from "./store/run-migrations.js";
export type { SqlClient, SqlDatabase } from "./store/sql-database.js";
