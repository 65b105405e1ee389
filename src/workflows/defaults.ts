import { WAIT_DEFAULTS } from "../tasks/schedule.js";

/**
 * The default of every workflow option and input field, in one place; each option's `@defaultValue` repeats
 * the value here (a test keeps the two equal).
 */
export const WORKFLOW_DEFAULTS = Object.freeze({
  /** First pause between polls of a task or state. */
  pollIntervalMs: WAIT_DEFAULTS.pollIntervalMs,
  /** Longest pause between polls. */
  maxIntervalMs: WAIT_DEFAULTS.maxIntervalMs,
  /** Longest wait for one task or state (30 min). */
  maxWaitMs: WAIT_DEFAULTS.maxWaitMs,
  /** Calls that change the platform (with the tasks they start) in flight per resource pool. */
  concurrency: 4,
  /** Proxies of a pool out of service at once during a rolling replacement. */
  maxUnavailable: 1,
  /** Remove what a failed or aborted run created. */
  cleanupOnError: true,
  /** Longest time the cleanup after a failed or aborted run may take (10 min); what is left is then listed. */
  cleanupMaxWaitMs: 600_000,
  /** Longest wait for vmtools in a new proxy (10 min). */
  vmtoolsMaxWaitMs: 600_000,
  /** Plan only. */
  dryRun: false,
  /** Remove surplus proxies. */
  prune: false,
  /** Stop a running golden VM for an export. */
  stopSource: false,
  /** Keep the VMA file a publish downloaded. */
  keepFile: false,
  /** OS type of an exported image when the VM has none. */
  osType: "l2664",
  /** A proxy's vCPU cores per socket when neither `cores` nor `slots` is given. */
  cores: 4,
  /** A proxy's CPU sockets. */
  sockets: 1,
  /** A proxy's memory when neither `memoryMb` nor `slots` is given. */
  memoryMb: 8192,
  /** A proxy's system disk when neither `diskSizeMb` nor the image says. */
  diskSizeMb: 81_920,
  /** How long a session's backup resource holds before it must be renewed (10 min; SCP takes 1 min to 2 h). */
  lockTimeMs: 600_000,
  /** Keep a backup session's snapshot after it closes (its checkpoint is the base of the next incremental either way). */
  keepSnapshot: false,
  /** Require a quiesced snapshot (the platform silently falls back to one that is not). */
  quiesce: false,
  /** Reset CBT before a full backup's snapshot (needed after a revert or a restore expired it). */
  resetCbt: false,
  /** Power a restored VM on when its restore session closes committed. */
  powerOn: false,
  /** Remove hot-added disks held by a proxy before deleting it, instead of refusing to delete it. */
  force: false,
});
