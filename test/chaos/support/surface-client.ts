// Every method of the client's resource groups, with valid arguments and, per argument, the values its contract
// refuses. `inputs.chaos.ts` checks each bad draw is refused with ScpValidationError before any request.
import fc from "fast-check";
import type { ScpClient } from "../../../src/index.js";
import {
  badArgs,
  badDuration,
  badId,
  badObject,
  badQuery,
  badRequestOptions,
  notBoolean,
  notNumber,
  notObject,
  notString,
} from "./bad-values.js";

/** One public function or method, and argument lists its contract refuses. */
export interface SurfaceCase {
  /** As the docs name it, e.g. `scp.servers.list`. */
  name: string;
  /** Argument lists with at least one refused argument. */
  bad: fc.Arbitrary<unknown[]>;
  /** Calls it (on the counting client, for methods and workflows). */
  call: (scp: ScpClient, args: unknown[]) => unknown;
  /** Returns an async iterator, whose first step may be where it refuses. */
  iterates?: boolean;
  /** Returns a value synchronously: a refusal is a synchronous throw. */
  sync?: boolean;
}

const ID = "5d0c9a1e-0000-4000-8000-000000000001";
const opts = {};
/** A value that is not a function. */
const notFunction = fc.oneof(fc.string({ maxLength: 3 }), fc.integer(), fc.constant({}), fc.constant(null));
const emptyOrNot = fc.oneof(notString, fc.constant(""));
const badName = fc.oneof(notString, fc.constantFrom("", "   ", "n".repeat(129)));
const badCount = fc.oneof(fc.constantFrom(0, -1, 1.5, Number.NaN), notNumber);
const badPools = fc.oneof(notObject, fc.constant([]), fc.constant([""]), fc.constant([1]));

type Method = (...args: unknown[]) => unknown;
const method = (pick: (scp: ScpClient) => unknown, name: string) => (scp: ScpClient, args: unknown[]) =>
  (pick(scp) as Record<string, Method>)[name]?.(...args);

function listCases(group: string, pick: (scp: ScpClient) => unknown): SurfaceCase[] {
  return [
    { name: `scp.${group}.list`, bad: badArgs([{}, opts], [badQuery, badRequestOptions]), call: method(pick, "list") },
    {
      name: `scp.${group}.listAll`,
      bad: badArgs([{}, opts], [badQuery, badRequestOptions]),
      call: method(pick, "listAll"),
      iterates: true,
    },
  ];
}

const idCase = (name: string, pick: (scp: ScpClient) => unknown, fn: string): SurfaceCase => ({
  name,
  bad: badArgs([ID, opts], [badId, badRequestOptions]),
  call: method(pick, fn),
});

const CREATE_SERVER = {
  az_id: ID,
  image_id: ID,
  name: "vm-1",
  cores: 1,
  sockets: 1,
  memory_mb: 1024,
  disks: [{ id: "ide0", size_mb: 1024 }],
  networks: [],
};
const badCreateServer = badObject(
  CREATE_SERVER,
  {
    az_id: emptyOrNot,
    image_id: emptyOrNot,
    name: badName,
    cores: badCount,
    sockets: badCount,
    memory_mb: badCount,
    disks: fc.oneof(notObject, fc.constant([{ id: "", size_mb: 1 }]), fc.constant([{ id: "ide0", size_mb: 0 }])),
    networks: fc.oneof(
      notObject,
      fc.constant([{ vif_id: "", connect: 1 }]),
      fc.constant([{ vif_id: "v", connect: 2 }]),
    ),
    count: badCount,
    power_on: fc.constantFrom(2, -1, true, "1"),
    description: fc.oneof(notString, fc.constant("d".repeat(1025))),
  },
  { required: ["az_id", "image_id", "name", "cores", "sockets", "memory_mb", "disks", "networks"] },
);
const badServerPatch = badObject(
  { name: "vm-2" },
  { name: badName, cores: badCount, memory_mb: badCount, os_name: fc.oneof(notString, fc.constant("")) },
  { required: ["name"] },
);
const badForce = badObject({ force: true }, { force: notBoolean }, { strict: true });

const servers = (scp: ScpClient) => scp.servers;
const SERVER_CASES: SurfaceCase[] = [
  ...listCases("servers", servers),
  idCase("scp.servers.get", servers, "get"),
  idCase("scp.servers.find", servers, "find"),
  idCase("scp.servers.start", servers, "start"),
  {
    name: "scp.servers.create",
    bad: badArgs([CREATE_SERVER, opts], [badCreateServer, badRequestOptions]),
    call: method(servers, "create"),
  },
  {
    name: "scp.servers.update",
    bad: badArgs([ID, { name: "v" }, opts], [badId, badServerPatch, badRequestOptions]),
    call: method(servers, "update"),
  },
  {
    name: "scp.servers.delete",
    bad: badArgs([ID, {}, opts], [badId, badForce, badRequestOptions]),
    call: method(servers, "delete"),
  },
  {
    name: "scp.servers.stop",
    bad: badArgs([ID, {}, opts], [badId, badForce, badRequestOptions]),
    call: method(servers, "stop"),
  },
];

/** Cases of `scp.images`, given a real file to upload and a free path to download to. */
function imageCases(file: string, freePath: string): SurfaceCase[] {
  const images = (scp: ScpClient) => scp.images;
  const create = { azs: [ID], disk_format: "aCloud", image_type: "private", name: "img" };
  const fromServer = { server_id: ID, name: "golden", os_type: "l2664", azs: [ID] };
  const transferOptions = fc.oneof(
    badRequestOptions,
    fc.record({ idleTimeoutMs: badDuration }),
    fc.record({ onProgress: notFunction }),
    fc.record({ maxResumes: fc.constantFrom(-1, 1.5, 1001, "3") }),
  );
  const badSource = fc.oneof(
    badObject(
      { file },
      { file: fc.oneof(notString, fc.constant(""), fc.constant(`${file}.missing`)) },
      { strict: true },
    ),
    badObject({ file, sha256: "a".repeat(64) }, { sha256: fc.constantFrom("xyz", "A".repeat(64), "") }),
    fc.constant({ stream: "not a stream" }),
    fc.constant({}),
  );
  const badTarget = fc.oneof(
    badObject({ file: freePath }, { file: fc.oneof(notString, fc.constant("")) }, { strict: true }),
    badObject({ file: freePath, directIo: false }, { directIo: fc.constantFrom("yes", 1, null) }),
    fc.constant({ stream: new ReadableStream() }),
    fc.constant({}),
  );
  return [
    ...listCases("images", images),
    idCase("scp.images.find", images, "find"),
    idCase("scp.images.get", images, "get"),
    idCase("scp.images.delete", images, "delete"),
    idCase("scp.images.export", images, "export"),
    {
      name: "scp.images.findByName",
      bad: badArgs(["img", {}, opts], [badName, badQuery, badRequestOptions]),
      call: method(images, "findByName"),
    },
    {
      name: "scp.images.create",
      bad: badArgs(
        [create, opts],
        [
          badObject(
            create,
            {
              azs: badPools,
              disk_format: fc.constantFrom("qcow2", 1),
              image_type: fc.constantFrom("shared", ""),
              name: badName,
            },
            { required: ["azs", "disk_format", "image_type"] },
          ),
          badRequestOptions,
        ],
      ),
      call: method(images, "create"),
    },
    {
      name: "scp.images.createFromServer",
      bad: badArgs(
        [fromServer, opts],
        [
          badObject(
            fromServer,
            { server_id: emptyOrNot, name: badName, os_type: emptyOrNot, azs: badPools },
            { required: ["server_id", "name", "os_type", "azs"] },
          ),
          badRequestOptions,
        ],
      ),
      call: method(images, "createFromServer"),
    },
    {
      name: "scp.images.update",
      bad: badArgs(
        [ID, { name: "n" }, opts],
        [
          badId,
          badObject(
            { name: "n" },
            {
              name: badName,
              azs: badPools,
              description: notString,
              os_type: emptyOrNot,
              image_type: fc.constantFrom("public", "private"),
              owner_id: fc.string(),
              visibility: fc.constant("public"),
            },
            { required: ["name"] },
          ),
          badRequestOptions,
        ],
      ),
      call: method(images, "update"),
    },
    {
      name: "scp.images.upload",
      bad: badArgs([ID, { file }, {}], [badId, badSource, transferOptions]),
      call: method(images, "upload"),
    },
    {
      name: "scp.images.download",
      bad: badArgs([ID, { file: freePath }, {}], [badId, badTarget, transferOptions]),
      call: method(images, "download"),
    },
  ];
}

const GIB = 1024 ** 3;
/** Not a byte count or checkpoint: negative, fractional, past 2^53-1, or not a number. */
const badBytes = fc.oneof(fc.constantFrom(-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53), notNumber);
/** Not a lock time: under 1 min, over 2 h, not whole seconds, or not a number. */
const badLockTime = fc.oneof(fc.constantFrom(0, -60_000, 59_000, 7_201_000, 60_500, Number.NaN), notNumber);
/** Not a non-empty list of ids. */
const badIds = fc.oneof(
  notObject,
  fc.constant([]),
  badId.map((id) => [id]),
);

/** Cases of `scp.snapshots` and `scp.servers.createFromConfig`. */
function snapshotCases(): SurfaceCase[] {
  const snapshots = (scp: ScpClient) => scp.snapshots;
  const fromConfig = { az_id: ID, name: "restored" };
  const badFromConfig = badObject(
    fromConfig,
    {
      az_id: emptyOrNot,
      name: badName,
      hardware_option: fc.oneof(
        notObject,
        fc.constant({ disks: [] }),
        fc.constant({ disks: "x" }),
        fc.constant({ disks: [{ size_mb: 0 }] }),
        fc.constant({ disks: [{ size_mb: 1.5 }] }),
      ),
    },
    { required: ["az_id"] },
  );
  const badSnapshotInput = badObject(
    { name: "s" },
    {
      name: fc.oneof(badName, fc.constant("current")),
      description: fc.oneof(notString, fc.constant("d".repeat(1025))),
      snap_type: fc.oneof(notString, fc.constantFrom("", "lvm", "vs2")),
    },
    { required: ["name"], strict: true },
  );
  const badRevert = badObject({}, { backup: notBoolean, powerOn: notBoolean }, { strict: true });
  return [
    {
      name: "scp.servers.createFromConfig",
      bad: badArgs([fromConfig, opts], [badFromConfig, badRequestOptions]),
      call: method(servers, "createFromConfig"),
    },
    {
      name: "scp.snapshots.create",
      bad: badArgs([ID, { name: "s" }, opts], [badId, badSnapshotInput, badRequestOptions]),
      call: method(snapshots, "create"),
    },
    idCase("scp.snapshots.list", snapshots, "list"),
    ...["get", "delete"].map((fn) => ({
      name: `scp.snapshots.${fn}`,
      bad: badArgs([ID, ID, opts], [badId, badId, badRequestOptions]),
      call: method(snapshots, fn),
    })),
    {
      name: "scp.snapshots.deleteMany",
      bad: badArgs([ID, [ID], opts], [badId, badIds, badRequestOptions]),
      call: method(snapshots, "deleteMany"),
    },
    {
      name: "scp.snapshots.revert",
      bad: badArgs([ID, ID, {}, opts], [badId, badId, badRevert, badRequestOptions]),
      call: method(snapshots, "revert"),
    },
  ];
}

/** Cases of `scp.cbt`. */
function cbtCases(): SurfaceCase[] {
  const cbt = (scp: ScpClient) => scp.cbt;
  const query = { disk_id: "virtio0", snapshot_id: ID, checkpoint_id: 0, start_offset: 0 };
  const input = { diskId: "virtio0", snapshotId: ID, checkpointId: 0, diskSizeBytes: GIB };
  const badQueryOf = badObject(
    query,
    { disk_id: badId, snapshot_id: badId, checkpoint_id: badBytes, start_offset: badBytes },
    { required: ["disk_id", "snapshot_id", "checkpoint_id", "start_offset"], strict: true },
  );
  const badInput = badObject(
    input,
    {
      diskId: badId,
      snapshotId: badId,
      checkpointId: badBytes,
      diskSizeBytes: fc.oneof(badBytes, fc.constant(0)),
      startOffset: fc.oneof(badBytes, fc.constantFrom(GIB, GIB + 1)),
    },
    { required: ["diskId", "snapshotId", "checkpointId", "diskSizeBytes"], strict: true },
  );
  return [
    idCase("scp.cbt.status", cbt, "status"),
    idCase("scp.cbt.reset", cbt, "reset"),
    ...["enable", "disable"].map((fn) => ({
      name: `scp.cbt.${fn}`,
      bad: badArgs([ID, ["virtio0"], opts], [badId, badIds, badRequestOptions]),
      call: method(cbt, fn),
    })),
    {
      name: "scp.cbt.changedAreasPage",
      bad: badArgs([ID, query, opts], [badId, badQueryOf, badRequestOptions]),
      call: method(cbt, "changedAreasPage"),
    },
    {
      name: "scp.cbt.changedAreas",
      bad: badArgs([ID, input, opts], [badId, badInput, badRequestOptions]),
      call: method(cbt, "changedAreas"),
      iterates: true,
    },
  ];
}

/** Cases of `scp.backupResources` and `scp.hotAdd`. */
function lockAndHotAddCases(): SurfaceCase[] {
  const locks = (scp: ScpClient) => scp.backupResources;
  const hotAdd = (scp: ScpClient) => scp.hotAdd;
  const lock = { serverId: ID, type: "backup", lockTimeMs: 60_000 };
  const badLock = badObject(
    lock,
    {
      serverId: badId,
      type: fc.oneof(notString, fc.constantFrom("", "Backup", "snapshot")),
      lockTimeMs: badLockTime,
      hostId: badId,
    },
    { required: ["serverId", "type", "lockTimeMs"], strict: true },
  );
  const badRenewal = badObject(
    { lockTimeMs: 60_000 },
    { lockTimeMs: badLockTime },
    { required: ["lockTimeMs"], strict: true },
  );
  const disk = { serverId: ID, diskId: "virtio0", snapshotId: ID, application: "backup" };
  const badDisks = fc.oneof(
    notObject,
    fc.constant([]),
    fc.constant([{ serverId: ID, diskId: "virtio0", snapshotId: ID, application: "restore" }]),
    badObject(
      disk,
      {
        serverId: badId,
        diskId: badId,
        snapshotId: badId,
        application: fc.oneof(notString, fc.constantFrom("", "Backup", "copy")),
      },
      { required: ["serverId", "diskId", "snapshotId", "application"], strict: true },
    ).map((d) => [d]),
  );
  return [
    {
      name: "scp.backupResources.create",
      bad: badArgs([lock, opts], [badLock, badRequestOptions]),
      call: method(locks, "create"),
    },
    idCase("scp.backupResources.get", locks, "get"),
    {
      name: "scp.backupResources.renew",
      bad: badArgs([ID, { lockTimeMs: 60_000 }, opts], [badId, badRenewal, badRequestOptions]),
      call: method(locks, "renew"),
    },
    idCase("scp.backupResources.delete", locks, "delete"),
    idCase("scp.backupResources.supports", locks, "supports"),
    {
      name: "scp.hotAdd.attach",
      bad: badArgs([ID, [disk], opts], [badId, badDisks, badRequestOptions]),
      call: method(hotAdd, "attach"),
    },
    {
      name: "scp.hotAdd.detach",
      bad: badArgs([ID, ["virtio3"], opts], [badId, badIds, badRequestOptions]),
      call: method(hotAdd, "detach"),
    },
    idCase("scp.hotAdd.attached", hotAdd, "attached"),
  ];
}

/** Every resource method of the client. */
export function clientCases(file: string, freePath: string): SurfaceCase[] {
  const tasks = (scp: ScpClient) => scp.tasks;
  const badWait = fc.oneof(
    badRequestOptions,
    fc.record({ pollIntervalMs: badDuration }),
    fc.record({ maxIntervalMs: badDuration }),
    fc.record({ maxWaitMs: badDuration }),
    fc.record({ onProgress: notFunction }),
    fc.constant({ timeoutMs: 1000 }),
  );
  const badRef = fc.oneof(badId, fc.constant({}), fc.record({ taskId: badId }));
  const badRun = badObject(
    { azId: ID, vmIds: ["101"], command: "echo hi" },
    {
      azId: emptyOrNot,
      vmIds: fc.oneof(notObject, fc.constant([]), fc.constant(["vm-1"])),
      command: emptyOrNot,
      name: fc.constantFrom("", "n".repeat(65), 5),
    },
    { required: ["azId", "vmIds", "command"] },
  );
  const system = (scp: ScpClient) => scp.system;
  return [
    ...SERVER_CASES,
    ...snapshotCases(),
    ...cbtCases(),
    ...lockAndHotAddCases(),
    ...imageCases(file, freePath),
    ...listCases("tasks", tasks),
    idCase("scp.tasks.get", tasks, "get"),
    { name: "scp.tasks.wait", bad: badArgs([ID, {}], [badRef, badWait]), call: method(tasks, "wait") },
    {
      name: "scp.tasks.waitAll",
      bad: badArgs(
        [[ID], {}],
        [
          fc.oneof(
            notObject,
            badRef.map((r) => [r]),
          ),
          badWait,
        ],
      ),
      call: method(tasks, "waitAll"),
    },
    {
      name: "scp.guest.run",
      bad: badArgs([{ azId: ID, vmIds: ["1"], command: "x" }, opts], [badRun, badRequestOptions]),
      call: method((scp) => scp.guest, "run"),
    },
    ...listCases("azs", (scp) => scp.azs),
    ...listCases("hosts", (scp) => scp.hosts),
    ...listCases("projects", (scp) => scp.projects),
    ...listCases("users", (scp) => scp.users),
    {
      name: "scp.storageTags.list",
      bad: badArgs([ID, {}, opts], [badId, badQuery, badRequestOptions]),
      call: method((scp) => scp.storageTags, "list"),
    },
    {
      name: "scp.storageTags.listAll",
      bad: badArgs([ID, opts], [badId, badRequestOptions]),
      call: method((scp) => scp.storageTags, "listAll"),
      iterates: true,
    },
    {
      name: "scp.projects.administrators",
      bad: badArgs([opts], [badRequestOptions]),
      call: method((scp) => scp.projects, "administrators"),
    },
    {
      name: "scp.projects.getAdministratorId",
      bad: badArgs([opts], [badRequestOptions]),
      call: method((scp) => scp.projects, "getAdministratorId"),
    },
    { name: "scp.system.version", bad: badArgs([opts], [badRequestOptions]), call: method(system, "version") },
    { name: "scp.system.platform", bad: badArgs([opts], [badRequestOptions]), call: method(system, "platform") },
    {
      name: "scp.system.requireVersion",
      bad: badArgs(
        ["6.11.3", "feature", opts],
        [
          fc.oneof(notString, fc.constantFrom("", "abc", "6.x", "1..2", "6.11.3-beta")),
          fc.oneof(notString, fc.constant("")),
          badRequestOptions,
        ],
      ),
      call: method(system, "requireVersion"),
    },
  ];
}
