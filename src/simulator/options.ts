import type { FaultRule } from "./fault-types.js";

/** An SCP release as the simulator reports it: at least major.minor.patch, which the SDK's version reader needs. */
export const SCP_RELEASE_PATTERN = /^\d+\.\d+\.\d+(\.\d+)*$/;

/** Login material for one simulated user, for both auth schemes. */
export interface ScpSimulatorCredentials {
  /** AK for the AK/SK signature. */
  readonly accessKey: string;
  /** SK for the AK/SK signature. */
  readonly secretKey: string;
  /** Login name for the password (token) login. */
  readonly username: string;
  /** Plain password for the token login (encrypt it with the public key before sending). */
  readonly password: string;
}

/** How to build an in-process SCP simulator; every field is optional. */
export interface ScpSimulatorOptions {
  /** Seed for every id and random choice; same seed and same requests give the same results. @defaultValue 42 */
  readonly seed?: number | string;
  /** The SCP release to act as; newer operations answer 404. @defaultValue "6.11.3" */
  readonly scpVersion?: string;
  /** How long a task runs; 0 finishes tasks by the next request. @defaultValue 300 */
  readonly taskDurationMs?: number;
  /** Time from a VM starting to vmtools reporting installed. @defaultValue 1000 */
  readonly vmtoolsDelayMs?: number;
  /** Token lifetime after a password login. @defaultValue 3600000 (1 h) */
  readonly tokenTtlMs?: number;
  /** Public-key reads allowed per minute (v1 and v2 together); more get 403. @defaultValue 60 */
  readonly publicKeyRateLimitPerMinute?: number;
  /** How long an `X-Client-Token` is remembered. @defaultValue 900000 (15 min) */
  readonly idempotencyWindowMs?: number;
  /** Largest allowed distance between `X-Amz-Date` and now. @defaultValue 900000 (15 min) */
  readonly signatureMaxSkewMs?: number;
  /** Size of the VMA file an image made from a VM gets. @defaultValue 4194304 (4 MiB) */
  readonly vmaSizeBytes?: number;
  /** Delay added to every request. @defaultValue 0 */
  readonly latencyMs?: number;
  /** Fault rules active from the start. */
  readonly faults?: readonly FaultRule[];
  /** Where uploaded image files go; a temporary directory (removed by close) when absent. */
  readonly dataDir?: string;
  /** Unrelated VMs in the seeded inventory (besides the golden VM). @defaultValue 160 */
  readonly serverCount?: number;
  /** Overrides of the administrator's generated credentials. */
  readonly credentials?: Partial<ScpSimulatorCredentials>;
  /** The clock, in ms since the epoch; inject one to step time in tests. @defaultValue Date.now */
  readonly clock?: () => number;
  /** HCI resource pools in the seeded inventory (1 to 26). @defaultValue 2 */
  readonly poolCount?: number;
  /**
   * Seeds a backup lab: a running Backup Proxy per pool, small VMs with content worth protecting, and VMs that
   * each fail one pre-backup check (see `ScpSimulator.lab`). @defaultValue false
   */
  readonly backupLab?: boolean;
  /** Unit of disk content and of changed block tracking: a power of two from 512 B to 1 MiB. @defaultValue 65536 */
  readonly cbtBlockSizeBytes?: number;
  /** Most of a disk one changed-areas answer covers (a multiple of the block size). @defaultValue 1073741824 (1 GiB) */
  readonly cbtWindowBytes?: number;
  /** Most areas one changed-areas answer lists; the answer then covers less of the disk. @defaultValue 1024 */
  readonly cbtMaxAreasPerAnswer?: number;
  /** Time from a hot-add's task finishing to the device showing in the proxy's guest. @defaultValue 0 */
  readonly hotAddDeviceDelayMs?: number;
}

/** Options with every default filled in. */
export interface ResolvedOptions {
  /** Seed as a string. */
  readonly seed: string;
  /** Configured SCP release. */
  readonly scpVersion: string;
  /** Task duration. */
  readonly taskDurationMs: number;
  /** vmtools delay. */
  readonly vmtoolsDelayMs: number;
  /** Token lifetime. */
  readonly tokenTtlMs: number;
  /** Public-key rate limit. */
  readonly publicKeyRateLimitPerMinute: number;
  /** Idempotency window. */
  readonly idempotencyWindowMs: number;
  /** Signature clock skew. */
  readonly signatureMaxSkewMs: number;
  /** VMA size. */
  readonly vmaSizeBytes: number;
  /** Added latency. */
  readonly latencyMs: number;
  /** Initial faults. */
  readonly faults: readonly FaultRule[];
  /** Data directory, when given. */
  readonly dataDir: string | undefined;
  /** Unrelated VM count. */
  readonly serverCount: number;
  /** Credential overrides. */
  readonly credentials: Partial<ScpSimulatorCredentials>;
  /** The clock. */
  readonly clock: () => number;
  /** HCI pools. */
  readonly poolCount: number;
  /** Seed the backup lab. */
  readonly backupLab: boolean;
  /** Block size of disks and CBT. */
  readonly cbtBlockSizeBytes: number;
  /** Changed-areas window. */
  readonly cbtWindowBytes: number;
  /** Changed-areas page size. */
  readonly cbtMaxAreasPerAnswer: number;
  /** Hot-add device delay. */
  readonly hotAddDeviceDelayMs: number;
}

/** The defaults, in one place. */
export const SCP_SIMULATOR_DEFAULTS = Object.freeze({
  seed: "42",
  scpVersion: "6.11.3",
  taskDurationMs: 300,
  vmtoolsDelayMs: 1000,
  tokenTtlMs: 3_600_000,
  publicKeyRateLimitPerMinute: 60,
  idempotencyWindowMs: 900_000,
  signatureMaxSkewMs: 900_000,
  vmaSizeBytes: 4 * 1024 * 1024,
  latencyMs: 0,
  serverCount: 160,
  poolCount: 2,
  cbtBlockSizeBytes: 64 * 1024,
  cbtWindowBytes: 1024 * 1024 * 1024,
  cbtMaxAreasPerAnswer: 1024,
  hotAddDeviceDelayMs: 0,
});

/** Fills in defaults and checks ranges. */
export function resolveOptions(options: ScpSimulatorOptions = {}): ResolvedOptions {
  const d = SCP_SIMULATOR_DEFAULTS;
  const resolved: ResolvedOptions = {
    seed: options.seed === undefined ? d.seed : String(options.seed),
    scpVersion: options.scpVersion ?? d.scpVersion,
    taskDurationMs: options.taskDurationMs ?? d.taskDurationMs,
    vmtoolsDelayMs: options.vmtoolsDelayMs ?? d.vmtoolsDelayMs,
    tokenTtlMs: options.tokenTtlMs ?? d.tokenTtlMs,
    publicKeyRateLimitPerMinute: options.publicKeyRateLimitPerMinute ?? d.publicKeyRateLimitPerMinute,
    idempotencyWindowMs: options.idempotencyWindowMs ?? d.idempotencyWindowMs,
    signatureMaxSkewMs: options.signatureMaxSkewMs ?? d.signatureMaxSkewMs,
    vmaSizeBytes: options.vmaSizeBytes ?? d.vmaSizeBytes,
    latencyMs: options.latencyMs ?? d.latencyMs,
    faults: options.faults ?? [],
    dataDir: options.dataDir,
    serverCount: options.serverCount ?? d.serverCount,
    credentials: options.credentials ?? {},
    clock: options.clock ?? Date.now,
    poolCount: options.poolCount ?? d.poolCount,
    backupLab: options.backupLab ?? false,
    cbtBlockSizeBytes: options.cbtBlockSizeBytes ?? d.cbtBlockSizeBytes,
    cbtWindowBytes: options.cbtWindowBytes ?? d.cbtWindowBytes,
    cbtMaxAreasPerAnswer: options.cbtMaxAreasPerAnswer ?? d.cbtMaxAreasPerAnswer,
    hotAddDeviceDelayMs: options.hotAddDeviceDelayMs ?? d.hotAddDeviceDelayMs,
  };
  const nonNegative = ["taskDurationMs", "vmtoolsDelayMs", "tokenTtlMs", "vmaSizeBytes", "latencyMs"] as const;
  for (const key of [...nonNegative, "hotAddDeviceDelayMs"] as const) {
    if (!Number.isFinite(resolved[key]) || resolved[key] < 0) {
      throw new RangeError(`${key} must be a number >= 0`);
    }
  }
  if (!SCP_RELEASE_PATTERN.test(resolved.scpVersion)) {
    throw new RangeError("scpVersion must look like 6.11.3");
  }
  checkBackupOptions(resolved);
  return resolved;
}

function checkBackupOptions(resolved: ResolvedOptions): void {
  const { poolCount, cbtBlockSizeBytes: block, cbtWindowBytes: window, cbtMaxAreasPerAnswer: areas } = resolved;
  if (!Number.isInteger(poolCount) || poolCount < 1 || poolCount > 26) {
    throw new RangeError("poolCount must be a whole number from 1 to 26");
  }
  if (!Number.isInteger(block) || block < 512 || block > 1024 * 1024 || (block & (block - 1)) !== 0) {
    throw new RangeError("cbtBlockSizeBytes must be a power of two from 512 to 1048576");
  }
  if (!Number.isSafeInteger(window) || window < block || window % block !== 0) {
    throw new RangeError("cbtWindowBytes must be a positive multiple of cbtBlockSizeBytes");
  }
  if (!Number.isInteger(areas) || areas < 1) {
    throw new RangeError("cbtMaxAreasPerAnswer must be a whole number >= 1");
  }
}
