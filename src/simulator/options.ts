import type { FaultRule } from "./fault-types.js";

/** Login material for one simulated user, for both auth schemes. */
export interface SimulatorCredentials {
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
  readonly credentials?: Partial<SimulatorCredentials>;
  /** The clock, in ms since the epoch; inject one to step time in tests. @defaultValue Date.now */
  readonly clock?: () => number;
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
  readonly credentials: Partial<SimulatorCredentials>;
  /** The clock. */
  readonly clock: () => number;
}

/** The defaults, in one place. */
export const SIMULATOR_DEFAULTS = Object.freeze({
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
});

/** Fills in defaults and checks ranges. */
export function resolveOptions(options: ScpSimulatorOptions = {}): ResolvedOptions {
  const d = SIMULATOR_DEFAULTS;
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
  };
  for (const key of ["taskDurationMs", "vmtoolsDelayMs", "tokenTtlMs", "vmaSizeBytes", "latencyMs"] as const) {
    if (!Number.isFinite(resolved[key]) || resolved[key] < 0) {
      throw new RangeError(`${key} must be a number >= 0`);
    }
  }
  if (!/^\d+(\.\d+)*$/.test(resolved.scpVersion)) {
    throw new RangeError("scpVersion must look like 6.11.3");
  }
  return resolved;
}
