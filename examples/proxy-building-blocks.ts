// The building blocks the fleet is made of, on one VM: wait until it runs with vmtools, run a script in its guest,
// mark it as a backup proxy (os_name "Backup Proxy"), and take the mark off again.
// Simulator by default (its golden VM); a real SCP with SCP_URL, credentials and SCP_SERVER_ID.
import { markAsBackupProxy, runGuestScript, unmarkBackupProxy, waitForVmtools } from "sangfor-scp-sdk";
import { connect } from "./connect.js";

const target = await connect();
try {
  const { scp } = target;
  const serverId = process.env.SCP_SERVER_ID ?? target.goldenServerId;
  const listed = await scp.servers.find(serverId);
  if (listed?.power_state !== "on") {
    await scp.tasks.wait(await scp.servers.start(serverId));
  }
  const running = await waitForVmtools(scp, serverId, { maxWaitMs: 600_000 });
  const script = await runGuestScript(scp, serverId, "echo ready > /tmp/backup-agent-check");
  await markAsBackupProxy(scp, serverId);
  const marked = (await scp.servers.get(serverId)).os_name;
  await unmarkBackupProxy(scp, serverId, {
    osName: running.os_name === "Backup Proxy" ? "Linux" : (running.os_name ?? "Linux"),
  });
  const unmarked = (await scp.servers.get(serverId)).os_name;
  console.log(JSON.stringify({ vmtools: running.vtool_installed, script: script.task.status, marked, unmarked }));
} finally {
  await target.close();
}
