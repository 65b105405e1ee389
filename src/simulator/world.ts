import { TokenStore } from "./auth/tokens.js";
import type { HotAddAttachment, ScpSimulatorBackupLab, SimBackupResource, SimSnapshot, VmCbt } from "./backup-model.js";
import { DiskStore } from "./disk-store.js";
import { FaultRegistry } from "./faults.js";
import { FileStore } from "./file-store.js";
import { IdempotencyStore } from "./idempotency.js";
import { seedInventory } from "./inventory.js";
import type { Inventory, SimImage } from "./model.js";
import type { ResolvedOptions } from "./options.js";
import { Random } from "./random.js";
import { Scheduler } from "./scheduler.js";
import { seedImages, seedServers } from "./seed-world.js";
import { IpAllocator } from "./server-records.js";
import { ServerStore } from "./server-store.js";
import { TaskStore } from "./task-store.js";

/** Public-key reads in the current one-minute window. */
interface RateWindow {
  startMs: number;
  count: number;
}

/**
 * Everything the simulator knows: the seeded inventory, the mutable VMs, images and tasks, and the
 * bookkeeping (tokens, idempotency, request counts, faults). Handlers read and change it.
 */
export class World {
  readonly options: ResolvedOptions;
  /** Ids and choices made while serving requests. */
  readonly random: Random;
  readonly scheduler = new Scheduler();
  readonly inventory: Inventory;
  /** VMs, indexed for lists. */
  readonly servers = new ServerStore();
  readonly images = new Map<string, SimImage>();
  /** Tasks, indexed by id and object. */
  readonly tasks = new TaskStore();
  readonly guestCommands = new Map<string, string[]>();
  readonly requestCounts = new Map<string, number>();
  readonly idempotency: IdempotencyStore;
  readonly tokens: TokenStore;
  readonly faults: FaultRegistry;
  readonly files: FileStore;
  readonly ips = new IpAllocator();
  readonly vmIds = new Set<string>();
  /** Images whose upload is being received. */
  readonly uploading = new Set<string>();
  readonly publicKeyWindow: RateWindow = { startMs: Number.NEGATIVE_INFINITY, count: 0 };
  /** Live content of VM disks. */
  readonly diskStore: DiskStore;
  /** Snapshots by id, oldest first. */
  readonly snapshots = new Map<string, SimSnapshot>();
  /** Changed block tracking by VM id. */
  readonly cbt = new Map<string, VmCbt>();
  /** Backup resources (VM locks) by id. */
  readonly backupResources = new Map<string, SimBackupResource>();
  /** Disks hot-added to backup proxies, by serial. */
  readonly hotAdds = new Map<string, HotAddAttachment>();
  /** The HCI CA certificate backup resources hand out (base64 DER), made on first use. */
  hciCaCert: string | undefined;
  /** The seeded backup lab, when asked for (seeded by the simulator's factory, after the world exists). */
  lab: ScpSimulatorBackupLab | undefined;
  /** Set at run time to act as another release. */
  versionOverride: string | undefined;

  /** Seeds a world from resolved options. */
  constructor(options: ResolvedOptions) {
    this.options = options;
    const seedRandom = new Random(`${options.seed}:inventory`);
    this.random = new Random(`${options.seed}:runtime`);
    this.faults = new FaultRegistry(new Random(`${options.seed}:faults`), options.faults);
    this.idempotency = new IdempotencyStore(options.idempotencyWindowMs);
    this.tokens = new TokenStore(options.tokenTtlMs);
    this.files = new FileStore(options.dataDir);
    this.diskStore = new DiskStore(options.cbtBlockSizeBytes);
    const base = seedInventory(seedRandom, options);
    const deps = { random: seedRandom, inventory: base, ips: this.ips, vmIds: this.vmIds };
    for (const image of seedImages(seedRandom, base, options)) {
      this.images.set(image.id, image);
    }
    const servers = seedServers(deps, [...this.images.values()], options, options.clock());
    for (const server of servers) {
      this.servers.add(server);
    }
    this.inventory = { ...base, goldenServerId: servers[0]?.id ?? "" };
  }

  /** The clock. */
  now(): number {
    return this.options.clock();
  }

  /** The release the simulator acts as now. */
  scpVersion(): string {
    return this.versionOverride ?? this.options.scpVersion;
  }

  /** Applies every timed change due by now; returns now. */
  advance(): number {
    const now = this.now();
    this.scheduler.advance(now);
    return now;
  }

  /** Adds one to the request count of `key` ("METHOD /path/template"). */
  count(key: string): void {
    this.requestCounts.set(key, (this.requestCounts.get(key) ?? 0) + 1);
  }

  /** The request counts as a record; with `reset`, counting starts again from zero. */
  readCounts(reset: boolean): Record<string, number> {
    const counts = Object.fromEntries(this.requestCounts);
    if (reset) {
      this.requestCounts.clear();
    }
    return counts;
  }
}
