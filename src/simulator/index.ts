/**
 * The SCP simulator: a faithful, stateful SCP for tests, demos and vendors' CI, in-process or over HTTPS.
 * @module
 */
export {
  generateSelfSignedCertificate,
  type SelfSignedCertificate,
  type SelfSignedCertificateOptions,
} from "./certificate.js";
export type {
  ActiveFault,
  ApplyThenDropFault,
  ErrorFault,
  FaultControl,
  FaultMatch,
  FaultRule,
  LatencyFault,
  ResetFault,
  SlowTaskFault,
  StuckTaskFault,
  TaskFailureFault,
} from "./fault-types.js";
export { type ScpSimulatorServer, type StartScpSimulatorOptions, startScpSimulator } from "./https-server.js";
export type { SimNetwork } from "./model.js";
export { type ScpSimulatorOptions, SIMULATOR_DEFAULTS, type SimulatorCredentials } from "./options.js";
export { createScpSimulator, type ScpSimulator, type SimulatorFetch } from "./simulator.js";
export type {
  ImageSnapshot,
  ServerSnapshot,
  SimulatorState,
  StorageTagSnapshot,
} from "./snapshot.js";
