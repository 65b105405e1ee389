// Which proxy would serve a VM, and what crashed sessions left behind: a dry-run sweep plans, a sweep removes.
// Simulator by default (its backup lab); a real SCP with SCP_URL, credentials and SCP_BACKUP_VM.
import { selectBackupProxy, sweepBackupLeftovers } from "sangfor-scp-sdk";
import { connectForBackup } from "./agent.js";

const target = await connectForBackup();
try {
  const { scp, serverId } = target;
  const proxy = await selectBackupProxy(scp, { serverId });
  console.log(
    `${proxy.name}: ${proxy.freeSlots} of ${proxy.slots} slots free${proxy.sameHost ? ", on the VM's host" : ""}`,
  );
  const plan = await sweepBackupLeftovers(scp, { dryRun: true });
  const swept = plan.plan.length > 0 ? await sweepBackupLeftovers(scp) : plan;
  console.log(
    JSON.stringify({
      proxy: proxy.name,
      freeSlots: proxy.freeSlots,
      planned: plan.plan.length,
      removed: swept.removed.length,
      remaining: swept.remaining.length,
    }),
  );
} finally {
  await target.close();
}
