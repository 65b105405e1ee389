import type { Dispatcher } from "undici";
import { SDK_VERSION } from "./generated/package-info.js";
import type { ServerConfig } from "./generated/schema.js";
import type { ScpHooks, ScpLogger } from "./observability.js";

export { SDK_VERSION };

/** Signs every request with an access key / secret key pair (SCP's AWS4-HMAC-SHA256 variant). */
export interface ScpSignatureAuth {
  /** Selects signature authentication. */
  type: "signature";
  /** Access key id. */
  accessKey: string;
  /** Secret key; never logged or put in an error. */
  secretKey: string;
  /** Region in the credential scope. @defaultValue "regionOne" */
  region?: string;
  /** Service in the credential scope. @defaultValue "sdk-api" */
  service?: string;
  /** Send and sign the `aCMPAuthToken` cookie that SCP before 6.3.70 needs. @defaultValue false */
  legacyCookie?: boolean;
}

/** Logs in with a user name and password and sends the token it gets. */
export interface ScpTokenAuth {
  /** Selects token authentication. */
  type: "token";
  /** Login name. */
  username: string;
  /** Password; encrypted with the platform's RSA key, never logged or put in an error. */
  password: string;
  /** Login API: v2 (RSA-OAEP, SCP 6.11.3), v1 (PKCS#1 v1.5), or auto (v2, falling back to v1). @defaultValue "auto" */
  loginVersion?: "auto" | "v1" | "v2";
}

/** How the client authenticates. */
export type ScpAuth = ScpSignatureAuth | ScpTokenAuth;

/** TLS settings for SCP's (often self-signed) certificate. Verification is on unless `insecure` is set. */
export interface ScpTlsOptions {
  /** PEM certificate(s) to trust in addition to the system store. */
  ca?: string | Uint8Array;
  /** Skip certificate verification entirely. An explicit, per-client opt-in; prefer `ca`. @defaultValue false */
  insecure?: boolean;
}

/** Retry policy for requests that are safe to repeat. */
export interface ScpRetryOptions {
  /** Retries after the first attempt. @defaultValue 2 */
  retries?: number;
  /** Base delay of the exponential backoff. @defaultValue 500 */
  minDelayMs?: number;
  /** Longest delay between attempts. @defaultValue 8000 */
  maxDelayMs?: number;
  /** Longest `Retry-After` honoured; a longer one ends retrying. @defaultValue 60000 */
  maxRetryAfterMs?: number;
}

/** A fetch-compatible function. */
export type ScpFetch = (request: Request) => Promise<Response>;

/** One disk to hot-add to a backup proxy. */
export interface HotAddDiskInput {
  /** The protected VM. */
  serverId: string;
  /** The disk's id in that VM's configuration, such as virtio0. */
  diskId: string;
  /** For a backup, the snapshot whose disk the proxy gets a linked clone of; none for a restore. */
  snapshotId?: string;
  /** `backup` (a linked clone of the snapshot's disk) or `restore` (the VM's real disk; the VM must be off). */
  application: "backup" | "restore";
}

/** A disk hot-added to a backup proxy, as the attach answer or the proxy's configuration tells it. */
export interface HotAddedDisk {
  /** Its id on the proxy, such as virtio3: what a removal names. */
  proxyDiskId: string;
  /** The virtio serial the proxy's guest sees (`/dev/disk/by-id/virtio-<serial>`). */
  serial: string;
  /** The protected VM it comes from. */
  serverId: string;
  /** Its id in that VM. */
  diskId: string;
  /** The snapshot cloned (backup only). */
  snapshotId: string | undefined;
  /** Why it is attached, when the platform says. */
  application: "backup" | "restore" | undefined;
}

/**
 * The wire of SCP 6.11.3's two hot-add calls ("Create VM disks" and "VM disks action"), which Sangfor has not
 * published: the SDK's defaults are inferred from the guide. Verify them on a real SCP 6.11.3 and override any part
 * here, without forking. Paths carry `{server_id}`, replaced by the proxy's id.
 */
export interface ScpHotAddWire {
  /** POST path that hot-adds disks to a proxy. @defaultValue "/janus/20240725/servers/\{server_id\}/disks" */
  attachPath: string;
  /** POST path that removes hot-added disks. @defaultValue "/janus/20240725/servers/\{server_id\}/disks/action" */
  detachPath: string;
  /** The attach request's body. */
  attachBody: (disks: readonly HotAddDiskInput[]) => unknown;
  /** Reads the attach answer's payload (the envelope's `data`); throws when it lacks what is needed. */
  readAttachAnswer: (data: unknown) => { taskId: string; disks: HotAddedDisk[] };
  /** The removal request's body. */
  detachBody: (proxyDiskIds: readonly string[]) => unknown;
  /** The hot-added disks a proxy's configuration lists. */
  readAttached: (config: ServerConfig) => HotAddedDisk[];
}

/** Options of {@link createScpClient}. */
export interface ScpClientOptions {
  /** SCP address with scheme and port, e.g. `https://10.0.0.10:4430`. */
  baseUrl: string;
  /** How to authenticate. */
  auth: ScpAuth;
  /** Certificate trust. Not allowed with `fetch` or `dispatcher`: configure TLS in those instead. */
  tls?: ScpTlsOptions;
  /** Limit of one attempt, until its response is read (streamed transfers: until headers, then of any pause). @defaultValue 30000 */
  timeoutMs?: number;
  /** Retry policy, or `false` for none. */
  retry?: ScpRetryOptions | false;
  /**
   * Fetch to use instead of the SDK's own, looked up on every call (tests, special network stacks). It then
   * carries every call, streamed uploads included (as a `ReadableStream` body with `duplex: "half"`; Node's own
   * fetch holds such a body in memory, so uploads are constant-memory only if yours streams them), and `tls`,
   * `dispatcher` and `proxy` do not apply. Without it, calls go through undici's `request` on the dispatcher, or
   * through `globalThis.fetch` once something (msw, say) has replaced Node's own.
   */
  fetch?: ScpFetch;
  /** An undici dispatcher (an `Agent`, `ProxyAgent`, …) for every call; TLS is then its business. */
  dispatcher?: Dispatcher;
  /**
   * HTTP(S) proxy URL, or `false` to ignore the environment. By default `HTTPS_PROXY`, `HTTP_PROXY` and
   * `NO_PROXY` (or their lower-case forms) are honoured.
   */
  proxy?: string | false;
  /** Where log lines go. Off by default; `SCP_SDK_DEBUG=1` in the environment logs everything to the console. */
  logger?: ScpLogger;
  /** Callbacks that observe requests, responses, retries and task polls. */
  hooks?: ScpHooks;
  /** Trace every call as an OpenTelemetry span when `@opentelemetry/api` is installed. @defaultValue true */
  tracing?: boolean;
  /** Largest JSON answer the client reads; a larger one is refused unread. @defaultValue 33554432 (32 MiB) */
  maxResponseBytes?: number;
  /** `User-Agent` header. @defaultValue "sangfor-scp-sdk/<version>" */
  userAgent?: string;
  /** Overrides of the inferred hot-add wire (paths, bodies, answers); see {@link ScpHotAddWire}. */
  hotAdd?: Partial<ScpHotAddWire>;
}

/** Default values of every client option. */
export const DEFAULTS = Object.freeze({
  timeoutMs: 30_000,
  retries: 2,
  minDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  maxResponseBytes: 32 * 1024 * 1024,
  region: "regionOne",
  service: "sdk-api",
  userAgent: `sangfor-scp-sdk/${SDK_VERSION}`,
});

/** Options of one call; every resource method takes them last. */
export interface RequestOptions {
  /** Aborts the call; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * The `X-Client-Token` of a POST or PUT; one is made per call otherwise. Send a lost call again with the same
   * token and SCP refuses it (429) if the first one applied, for 15 minutes.
   */
  clientToken?: string;
  /** Limit of each attempt of this call. @defaultValue the client's `timeoutMs` */
  timeoutMs?: number;
  /** Retry policy of this call (merged over the client's), or `false` for none. @defaultValue the client's `retry` */
  retry?: ScpRetryOptions | false;
}
