export { createScpClient, type ScpClient } from "./client.js";
export {
  ScpApiError,
  ScpAuthError,
  ScpConflictError,
  ScpNotFoundError,
  ScpRateLimitError,
  ScpServerError,
} from "./errors/api.js";
export { ScpError, type ScpIssue, type ScpOutcome } from "./errors/base.js";
export {
  isOutcomeUnknown,
  ScpNetworkError,
  ScpResponseError,
  ScpTaskError,
  type ScpTaskFailure,
  ScpTimeoutError,
  ScpValidationError,
} from "./errors/call.js";
export {
  CBT_EXPIRED_TEXT,
  ScpCbtExpiredError,
  ScpSessionCleanupError,
  type ScpSessionLeftover,
  type ScpSessionLossReason,
  ScpSessionLostError,
  type ScpSessionResourceKind,
} from "./errors/session.js";
export {
  type ScpCheck,
  type ScpLeftover,
  ScpPreflightError,
  ScpStateError,
  ScpUnsupportedVersionError,
  ScpWorkflowError,
  type ScpWorkflowStep,
} from "./errors/workflow.js";
export type {
  ScpHooks,
  ScpLogFields,
  ScpLogger,
  ScpRequestEvent,
  ScpResponseEvent,
  ScpRetryEvent,
} from "./observability.js";
export {
  DEFAULTS,
  type HotAddDiskInput,
  type HotAddedDisk,
  type RequestOptions,
  type ScpAuth,
  type ScpClientOptions,
  type ScpFetch,
  type ScpHotAddWire,
  type ScpRetryOptions,
  type ScpSignatureAuth,
  type ScpTlsOptions,
  type ScpTokenAuth,
  SDK_VERSION,
} from "./options.js";
export {
  type BackupResources,
  type CreateBackupResourceInput,
  type CreateBackupResourceRef,
  type DeleteBackupResourceRef,
  LOCK_TIME_LIMITS_MS,
} from "./resources/backup-resources.js";
export type { Cbt, ChangedAreasInput } from "./resources/cbt.js";
export type { ChangedArea, ChangedAreasQuery } from "./resources/changed-areas.js";
export type { Guest, GuestRunInput } from "./resources/guest.js";
export type { HotAdd, HotAddRef } from "./resources/hot-add.js";
export type {
  DownloadOptions,
  DownloadResult,
  DownloadTarget,
  TransferOptions,
  UploadSource,
} from "./resources/image-transfer.js";
export type { CreateImageRef, ImageListQuery, Images } from "./resources/images.js";
export type { AzListQuery, Azs, HostListQuery, Hosts, ScpVersion, StorageTags, System } from "./resources/platform.js";
export type { ProjectListQuery, Projects, UserListQuery, Users } from "./resources/projects.js";
export type { TaskRef } from "./resources/request-options.js";
export type { CreateServerFromConfigRef } from "./resources/server-from-config.js";
export type { CreateServerRef, DeleteServerRef, ServerListQuery, Servers } from "./resources/servers.js";
export type {
  CreateSnapshotInput,
  CreateSnapshotRef,
  DeleteSnapshotRef,
  RevertSnapshotInput,
  Snapshots,
} from "./resources/snapshots.js";
export type { TaskListQuery, Tasks } from "./resources/tasks.js";
export type { WaitOptions } from "./tasks/wait-for-task.js";
export type { HttpClient } from "./transport/http-client.js";
export { collect, type ScpPage } from "./transport/paginate.js";
export type {
  Az,
  BackupResource,
  BackupResourceSupports,
  CbtInfo,
  ChangedAreasPage,
  CreateImageFromServerRequest,
  CreateImageRequest,
  CreateServerFromConfigRequest,
  CreateServerRequest,
  DiskRequest,
  Host,
  HotAddApplication,
  HotAddDisksRequest,
  Image,
  ImageStatus,
  ImageType,
  NetworkRequest,
  PlatformInfo,
  PowerState,
  Project,
  RoleType,
  Server,
  ServerConfig,
  ServerConfigDisk,
  SnapshotDetail,
  SnapshotListItem,
  StorageTag,
  Task,
  TaskStatus,
  TaskSummary,
  UpdateImageRequest,
  UpdateServerRequest,
  User,
  VmConfig,
  VmConfigDisk,
} from "./types.js";
export { compareVersions, parseScpVersion } from "./version.js";
export { type BackupCommit, BackupSession, type SessionSnapshot } from "./workflows/backup-session.js";
export {
  type BackupSessionCheck,
  type CheckBackupSessionInput,
  checkBackupSession,
} from "./workflows/check-backup-session.js";
export { WORKFLOW_DEFAULTS } from "./workflows/defaults.js";
export {
  type DeployBackupProxyFleetResult,
  deployBackupProxyFleet,
} from "./workflows/deploy-backup-proxy-fleet.js";
export {
  type DestroyBackupProxyFleetInput,
  type DestroyBackupProxyFleetOptions,
  type DestroyBackupProxyFleetResult,
  destroyBackupProxyFleet,
} from "./workflows/destroy-backup-proxy-fleet.js";
export type {
  ExportProxyImageInput,
  ExportProxyImageOptions,
  ExportProxyImageResult,
} from "./workflows/export-input.js";
export { exportProxyImage, IMAGE_EXPORT_MIN_VERSION } from "./workflows/export-proxy-image.js";
export {
  type BackupProxy,
  type FindBackupProxiesInput,
  findBackupProxies,
  type ReadOptions,
} from "./workflows/find-backup-proxies.js";
export {
  type DeployBackupProxyFleetInput,
  type DeployBackupProxyFleetOptions,
  type FleetPoolInput,
  type FleetProgress,
  type FleetStep,
  type FleetVmInput,
  MAX_PROXIES_PER_POOL,
  validateBackupProxyFleetInput,
} from "./workflows/fleet-input.js";
export type { FleetCapacity, FleetPlan, PlannedProxy, PoolPlan } from "./workflows/fleet-plan.js";
export type { ImageProgress } from "./workflows/image-files.js";
export {
  type ImportProxyImageInput,
  type ImportProxyImageOptions,
  type ImportProxyImageResult,
  importProxyImage,
} from "./workflows/import-proxy-image.js";
export { BACKUP_PROXY_OS_NAME, type ProxyMarker } from "./workflows/marker.js";
export { BACKUP_SESSION_MIN_VERSION, openBackupSession } from "./workflows/open-backup-session.js";
export { openRestoreSession } from "./workflows/open-restore-session.js";
export {
  type GuestScriptResult,
  markAsBackupProxy,
  OS_NAME_MIN_VERSION,
  runGuestScript,
  unmarkBackupProxy,
  waitForVmtools,
} from "./workflows/proxy-steps.js";
export type {
  PublishProxyImageInput,
  PublishProxyImageOptions,
  PublishProxyImageResult,
} from "./workflows/publish-input.js";
export { publishProxyImage } from "./workflows/publish-proxy-image.js";
export { describeProblem, type ProxyProblem, type VmtoolsState } from "./workflows/readiness.js";
export { RestoreSession } from "./workflows/restore-session.js";
export {
  type SelectBackupProxyInput,
  type SelectedBackupProxy,
  selectBackupProxy,
} from "./workflows/select-backup-proxy.js";
export type { SessionCore } from "./workflows/session-core.js";
export type {
  OpenBackupSessionInput,
  OpenRestoreSessionInput,
  RestoreNewServerInput,
  SessionOptions,
  SessionStep,
} from "./workflows/session-input.js";
export { STATE_DIR_ENV } from "./workflows/session-journal.js";
export type { SessionClock } from "./workflows/session-lock.js";
export type { AttachedDisk, SessionDiskInfo } from "./workflows/session-types.js";
export type { StepOptions } from "./workflows/step-helpers.js";
export {
  type SweepBackupLeftoversOptions,
  type SweepBackupLeftoversResult,
  sweepBackupLeftovers,
} from "./workflows/sweep-backup-leftovers.js";
export type { BackupLeftover, RemainingLeftover } from "./workflows/sweep-find.js";
