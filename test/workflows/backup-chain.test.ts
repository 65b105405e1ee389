// The proof of issue 11 over real loopback HTTPS: a full and three incrementals, each point in time rebuilt from the
// chain and compared with the simulator's disk at that snapshot; then the last point restored into a new VM and,
// differentially, into the original VM.
import { expect, test } from "vitest";
import { openBackupSession, openRestoreSession } from "../../src/index.js";
import { FAST } from "../support/sim.js";
import { backUpDisk, sha256, stateDir, useHttpsLab } from "./session-env.js";

const env = useHttpsLab();

const KIB = 1024;
const DISKS = ["virtio0", "virtio1"] as const;

/** One backup of the chain: the areas read and their bytes, per disk, and the snapshot it read. */
interface Point {
  snapshotId: string;
  checkpointId: number;
  deltas: Record<string, { offset: number; bytes: Uint8Array }[]>;
  readBytes: number;
}

/** Writes `count` scattered 4 KiB blocks of bytes derived from `tag` to a disk of the VM. */
function scatter(vmId: string, diskId: string, tag: number, count: number, sizeBytes: number) {
  for (let i = 0; i < count; i++) {
    const offset = (((tag * 7919 + i * 104_729) % (sizeBytes / (4 * KIB))) * 4 * KIB) | 0;
    env.server.disks.write(
      vmId,
      diskId,
      offset,
      Uint8Array.from({ length: 4 * KIB }, (_, j) => (tag + i * 13 + j) & 0xff),
    );
  }
}

async function backUp(since: number | undefined, chain: Point[], sizes: Record<string, number>): Promise<Point> {
  const vm = env.lab.vms.running;
  const opts = { ...FAST, stateDir: dir };
  const session = await openBackupSession(
    env.scp,
    { serverId: vm, sinceCheckpointId: since, keepSnapshot: true },
    opts,
  );
  const point: Point = { snapshotId: session.snapshot.id, checkpointId: 0, deltas: {}, readBytes: 0 };
  for (const disk of session.disks) {
    sizes[disk.id] = disk.sizeBytes;
    const previous = chain.length > 0 ? rebuild(chain, disk.id, disk.sizeBytes) : undefined;
    const { image, areas } = await backUpDisk(env.server.simulator, session, disk.id, previous);
    point.deltas[disk.id] = areas.map((a) => ({ offset: a.offset, bytes: image.slice(a.offset, a.offset + a.length) }));
    point.readBytes += areas.reduce((n, a) => n + a.length, 0);
  }
  point.checkpointId = (await session.commit()).checkpointId;
  await session.close();
  return point;
}

/** A disk at the last point of the chain: the full, with every incremental's areas laid over it in order. */
function rebuild(chain: readonly Point[], diskId: string, sizeBytes: number): Uint8Array {
  const image = new Uint8Array(sizeBytes);
  for (const point of chain) {
    for (const { offset, bytes } of point.deltas[diskId] ?? []) {
      image.set(bytes, offset);
    }
  }
  return image;
}

const dir = stateDir();

test("a full and three incrementals rebuild every point in time; the last restores into a new VM and differentially into the original", async () => {
  const vm = env.lab.vms.running;
  const sizes: Record<string, number> = {};
  const chain: Point[] = [];
  for (const disk of DISKS) {
    env.server.disks.write(vm, disk, 256 * KIB, new Uint8Array(64 * KIB).fill(0x5a));
  }
  chain.push(await backUp(undefined, chain, sizes));
  for (let round = 1; round <= 3; round++) {
    for (const disk of DISKS) {
      scatter(vm, disk, round, 6, sizes[disk] as number);
    }
    chain.push(await backUp(chain.at(-1)?.checkpointId, chain, sizes));
    // An incremental reads only the changed blocks, not the disks.
    expect((chain.at(-1) as Point).readBytes).toBeLessThan(((sizes.virtio0 ?? 0) + (sizes.virtio1 ?? 0)) / 4);
  }
  for (let k = 0; k < chain.length; k++) {
    for (const disk of DISKS) {
      const rebuilt = sha256(rebuild(chain.slice(0, k + 1), disk, sizes[disk] as number));
      expect({ k, disk, rebuilt }).toEqual({
        k,
        disk,
        rebuilt: env.server.disks.sha256(vm, disk, { snapshotId: (chain[k] as Point).snapshotId }),
      });
    }
  }
  const last = DISKS.map((d) => sha256(rebuild(chain, d, sizes[d] as number)));

  // Into a new VM made from the last point's configuration: every non-zero block written.
  const vmconf = (await env.scp.snapshots.get(vm, (chain.at(-1) as Point).snapshotId)).vmconf;
  const restore = await openRestoreSession(
    env.scp,
    { newServer: { vmconf, azId: env.server.poolIds[0] as string, name: "lab-app-restored" } },
    { ...FAST, stateDir: dir },
  );
  for (const disk of DISKS) {
    const device = await restore.attach(disk);
    const image = rebuild(chain, disk, sizes[disk] as number);
    for (let at = 0; at < image.length; at += 64 * KIB) {
      const block = image.subarray(at, at + 64 * KIB);
      if (block.some((b) => b !== 0)) {
        env.server.guest.writeDevice(device.proxyId, device.serial, at, block);
      }
    }
  }
  await restore.commit();
  await restore.close();
  expect(DISKS.map((d) => env.server.disks.sha256(restore.serverId, d))).toEqual(last);

  // Into the original, differentially: it changed since the last backup; only those areas are written back.
  for (const disk of DISKS) {
    scatter(vm, disk, 9, 5, sizes[disk] as number);
  }
  expect(DISKS.map((d) => env.server.disks.sha256(vm, d))).not.toEqual(last);
  await env.scp.tasks.wait(await env.scp.servers.stop(vm, { force: true }), FAST);
  const since = (chain.at(-1) as Point).checkpointId;
  const diff = await openRestoreSession(
    env.scp,
    { serverId: vm, sinceCheckpointId: since },
    { ...FAST, stateDir: dir },
  );
  let written = 0;
  for (const disk of DISKS) {
    const device = await diff.attach(disk);
    const image = rebuild(chain, disk, sizes[disk] as number);
    for await (const area of diff.changedAreas(disk)) {
      env.server.guest.writeDevice(
        device.proxyId,
        device.serial,
        area.offset,
        image.subarray(area.offset, area.offset + area.length),
      );
      written += area.length;
    }
  }
  await diff.commit();
  await diff.close();
  expect(DISKS.map((d) => env.server.disks.sha256(vm, d))).toEqual(last);
  expect(written).toBeLessThan(((sizes.virtio0 ?? 0) + (sizes.virtio1 ?? 0)) / 4);

  // The kept snapshots were the test's; the sessions left nothing else.
  await env.scp.tasks.wait(
    await env.scp.snapshots.deleteMany(
      vm,
      chain.map((p) => p.snapshotId),
    ),
    FAST,
  );
  const state = env.server.state();
  expect(state.backupResources).toEqual([]);
  expect(state.hotAddedDisks).toEqual({});
  expect(state.snapshots.filter((s) => s.server_id === vm || s.server_id === restore.serverId)).toEqual([]);
}, 60_000);
