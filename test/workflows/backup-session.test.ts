import { expect, test } from "vitest";
import { openBackupSession } from "../../src/index.js";
import { backUpDisk, lab, sha256 } from "./session-env.js";

test("a full backup reads exactly the snapshot's bytes, and closing leaves nothing behind", async () => {
  const { scp, sim, lab: l, opts } = lab();
  const session = await openBackupSession(scp, { serverId: l.vms.running }, opts);
  expect(session.disks.map((d) => d.id)).toEqual(["virtio0", "virtio1"]);
  sim.disks.write(l.vms.running, "virtio1", 0, new Uint8Array(4096).fill(7)); // after the snapshot: not in it
  const { image } = await backUpDisk(sim, session, "virtio1");
  expect(sha256(image)).toBe(sim.disks.sha256(l.vms.running, "virtio1", { snapshotId: session.snapshot.id }));
  const commit = await session.commit();
  expect(commit.checkpointId).toBeGreaterThan(0);
  await session.close();
  const state = sim.state();
  expect(state.backupResources).toEqual([]);
  expect(state.hotAddedDisks).toEqual({});
  expect(state.snapshots.filter((s) => s.server_id === l.vms.running)).toEqual([]);
});
