/**
 * The SCP simulator: a faithful, stateful SCP for tests, demos and vendors' CI, in-process or over HTTPS.
 * @module
 */
export type { GuestDevice, ScpSimulatorDisks, ScpSimulatorGuest } from "./agent.js";
export type { ScpSimulatorBackupLab } from "./backup-model.js";
export type {
  BackupResourceState,
  CbtState,
  HotAddedDiskState,
  ScpSimulatorBackupState,
  SnapshotState,
} from "./backup-state.js";
export {
  generateSelfSignedCertificate,
  type SelfSignedCertificate,
  type SelfSignedCertificateOptions,
} from "./certificate.js";
export type {
  ActiveFault,
  ApplyThenDropFault,
  DeviceDelayFault,
  ErrorFault,
  FaultControl,
  FaultMatch,
  FaultRule,
  LatencyFault,
  PartialChangedAreasFault,
  ResetFault,
  SlowTaskFault,
  StuckTaskFault,
  TaskFailureFault,
} from "./fault-types.js";
export { type ScpSimulatorServer, type StartScpSimulatorOptions, startScpSimulator } from "./https-server.js";
export type { ScpSimulatorNetwork } from "./model.js";
export { SCP_SIMULATOR_DEFAULTS, type ScpSimulatorCredentials, type ScpSimulatorOptions } from "./options.js";
export { createScpSimulator, type ScpSimulator, type ScpSimulatorFetch } from "./simulator.js";
export type {
  ImageState,
  ScpSimulatorState,
  ServerState,
  StorageTagState,
} from "./state.js";
