export { createScpClient, type ScpClient } from "./client.js";
export {
  isIdempotencyRejection,
  isOutcomeUnknown,
  ScpApiError,
  ScpAuthError,
  ScpConflictError,
  ScpError,
  type ScpIssue,
  type ScpLeftover,
  ScpNetworkError,
  ScpNotFoundError,
  type ScpOutcome,
  ScpRateLimitError,
  ScpResponseError,
  ScpServerError,
  ScpTaskError,
  type ScpTaskFailure,
  ScpTimeoutError,
  ScpUnsupportedVersionError,
  ScpValidationError,
  ScpWorkflowError,
} from "./errors.js";
export {
  DEFAULTS,
  type ScpAuth,
  type ScpClientOptions,
  type ScpFetch,
  type ScpLogger,
  type ScpRetryOptions,
  type ScpSignatureAuth,
  type ScpTlsOptions,
  type ScpTokenAuth,
  SDK_VERSION,
} from "./options.js";
export type { Guest, GuestRunInput } from "./resources/guest.js";
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
export type { RequestOptions, TaskRef } from "./resources/request-options.js";
export type { CreateServerRef, DeleteServerRef, ServerListQuery, Servers } from "./resources/servers.js";
export type { TaskListQuery, Tasks } from "./resources/tasks.js";
export { type TaskReader, type WaitOptions, waitForTask, waitForTasks } from "./tasks/wait-for-task.js";
export type { HttpClient } from "./transport/http-client.js";
export { collect, MAX_PAGE_SIZE, type ScpPage } from "./transport/paginate.js";
export type * from "./types.js";
export { compareVersions, parseScpVersion } from "./version.js";
