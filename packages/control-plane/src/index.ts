export { ControlPlaneError, isControlPlaneError } from "./control-plane-error.js";
export type {
  AuthClaims,
  ListRunsFilter,
  OpsMetricsSnapshot,
  OpsStore,
  WakeSignal,
} from "./ops-store.js";
