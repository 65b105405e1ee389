// Plans (SCP_DRY_RUN=1) or deploys a fleet of backup proxies, one per pool, from SCP_IMAGE_ID or a freshly
// published image.
import { deployBackupProxyFleet, publishProxyImage } from "sangfor-scp-sdk";
import { connect } from "./connect.js";

const target = await connect();
try {
  const { scp, poolIds, goldenServerId } = target;
  const imageId =
    process.env.SCP_IMAGE_ID ??
    (await publishProxyImage(scp, { serverId: goldenServerId, imageName: "backup-proxy-v1", azIds: poolIds })).imageId;
  const result = await deployBackupProxyFleet(
    scp,
    { fleetId: process.env.SCP_FLEET ?? "backup", imageId, pools: poolIds.map((azId) => ({ azId, count: 1 })) },
    { dryRun: process.env.SCP_DRY_RUN === "1", onProgress: (e) => e.phase === "done" && console.log(e.proxy, e.step) },
  );
  console.log(JSON.stringify(result.plan.summary), result.plan.warnings);
  console.table(result.proxies.map((p) => ({ name: p.name, ready: p.ready, notReady: p.notReady.join("; ") })));
} finally {
  await target.close();
}
