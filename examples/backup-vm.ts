// Back up a VM agentlessly through a HotAdd proxy: a full, then an incremental since the full's checkpoint.
// The SDK does the control plane (snapshot, lock and its renewal, changed areas, hot-add, cleanup); the agent in
// the proxy's guest reads the data (played through the simulator here, see agent.ts); each backup is checked by
// SHA-256 against the VM's disks.
// Run: npx tsx --tsconfig examples/tsconfig.json examples/backup-vm.ts   (real SCP: also SCP_BACKUP_VM=<vm id>)
import { openBackupSession } from "sangfor-scp-sdk";
import { type Backup, connectForBackup, copyOut, rebuild, sha256 } from "./agent.js";

const target = await connectForBackup();
try {
  const { scp, simulator: sim, serverId } = target;
  const chain: Backup[] = [];
  let checkpointId: number | undefined;
  const summary: Record<string, unknown> = {};
  let verified = true;
  for (const kind of ["full", "incremental"] as const) {
    if (kind === "incremental") {
      sim?.disks.write(serverId, "virtio0", 1024 * 1024, new Uint8Array(8192).fill(0xab)); // the application writes
    }
    // `await using` closes the session however the block ends: disks detached, lock released, snapshot deleted.
    await using session = await openBackupSession(scp, { serverId, sinceCheckpointId: checkpointId });
    const { snapshot } = session;
    console.log(
      `${kind}: snapshot ${snapshot.id.slice(0, 8)}…, checkpoint ${snapshot.checkpointId}, proxy ${session.proxy.name}`,
    );
    const { backup, bytes } = await copyOut(session, sim);
    chain.push(backup);
    checkpointId = (await session.commit()).checkpointId; // only a stored backup advances the base
    const areas = [...backup.values()].reduce((n, a) => n + a.length, 0);
    summary[kind] = { areas, bytes };
    console.log(`${kind}: read ${areas} areas, ${bytes} bytes`);
    for (const disk of session.disks) {
      verified &&= !sim || sha256(rebuild(chain, disk.id, disk.sizeBytes)) === sim.disks.sha256(serverId, disk.id);
    }
  }
  console.log(JSON.stringify({ ...summary, checkpointId, verified }));
} finally {
  await target.close();
}
