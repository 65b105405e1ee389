// Removes a fleet's proxies (only VMs carrying its ownership marker). SCP_DRY_RUN=1 lists them instead.
import { destroyBackupProxyFleet } from "sangfor-scp-sdk";
import { connect } from "./connect.js";

const target = await connect();
try {
  const result = await destroyBackupProxyFleet(
    target.scp,
    { fleetId: process.env.SCP_FLEET ?? "backup" },
    { dryRun: process.env.SCP_DRY_RUN === "1" },
  );
  console.log(`${result.targets.length} proxies targeted, ${result.removed.length} removed`);
} finally {
  await target.close();
}
