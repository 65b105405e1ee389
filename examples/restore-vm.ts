// Restore a VM agentlessly through a HotAdd proxy: back it up (a full), then restore that backup into a new VM made
// from the configuration the snapshot froze. The agent in the proxy's guest writes the data (played through the
// simulator here, see agent.ts); the new VM's disks are checked by SHA-256 against the backup.
// Run: npx tsx --tsconfig examples/tsconfig.json examples/restore-vm.ts   (real SCP: also SCP_BACKUP_VM=<vm id>)
import { openBackupSession, openRestoreSession } from "sangfor-scp-sdk";
import { connectForBackup, copyIn, copyOut, rebuild, sha256 } from "./agent.js";

const target = await connectForBackup();
try {
  const { scp, simulator: sim, serverId } = target;
  const backup = await openBackupSession(scp, { serverId });
  const { backup: full } = await copyOut(backup, sim);
  const { vmconf } = backup.snapshot;
  await backup.commit();
  await backup.close();
  const azId = (await scp.servers.find(serverId))?.az_id ?? "";
  // A new VM from the frozen configuration; closing uncommitted would delete it again.
  await using restore = await openRestoreSession(scp, { newServer: { vmconf, azId, name: `${vmconf.name}-restored` } });
  const written = await copyIn(restore, [full], sim);
  await restore.commit();
  const verified = restore.disks.every(
    (d) => !sim || sim.disks.sha256(restore.serverId, d.id) === sha256(rebuild([full], d.id, d.sizeBytes)),
  );
  console.log(JSON.stringify({ serverId: restore.serverId, disks: restore.disks.length, written, verified }));
} finally {
  await target.close();
}
