// Publishes a golden proxy VM as a private, administrator-owned image in the given pools.
// Simulator by default; a real SCP with SCP_URL, SCP_ACCESS_KEY/SCP_SECRET_KEY (or SCP_USERNAME/SCP_PASSWORD), SCP_GOLDEN_VM, SCP_POOLS.
import { publishProxyImage } from "sangfor-scp-sdk";
import { connect } from "./connect.js";

const target = await connect();
try {
  const result = await publishProxyImage(target.scp, {
    serverId: target.goldenServerId,
    imageName: process.env.SCP_IMAGE_NAME ?? "backup-proxy-v1",
    azIds: target.poolIds,
  });
  console.log(JSON.stringify(result, null, 2));
} finally {
  await target.close();
}
