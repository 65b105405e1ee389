/**
 * The SCP simulator: a faithful, stateful SCP for tests, demos and vendors' CI, in-process or over HTTPS.
 * @module
 */
export type { GuestDevice, SimulatorDisks, SimulatorGuest } from "./agent.js";
export type { BackupLab } from "./backup-model.js";
export type {
  BackupResourceState,
  BackupStateParts,
  CbtState,
  HotAddedDiskState,
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
export type { SimNetwork } from "./model.js";
export { type ScpSimulatorOptions, SIMULATOR_DEFAULTS, type SimulatorCredentials } from "./options.js";
export { createScpSimulator, type ScpSimulator, type SimulatorFetch } from "./simulator.js";
export type {
  ImageSnapshot,
  ServerSnapshot,
  SimulatorState,
  StorageTagSnapshot,
} from "./snapshot.js";
