export {
  type ObjectStoreConformanceOptions,
  objectStoreConformance,
} from "./object-store-conformance.js";
export {
  type CapturedArtifact,
  type CapturedEvent,
  type RunPhaseOptions,
  type RunPhaseResult,
  runPhase,
} from "./run-phase.js";
export {
  type StartTestControlPlaneOptions,
  startTestControlPlane,
  type TestControlPlane,
  type TestTokens,
} from "./start-test-control-plane.js";
