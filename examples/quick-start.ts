import { createScpClient, deployBackupProxyFleet, findBackupProxies, publishProxyImage } from "sangfor-scp-sdk";
import { startScpSimulator } from "sangfor-scp-sdk/simulator";

// An embedded SCP; for a real one use its URL, your AK/SK and its CA certificate instead.
const sim = await startScpSimulator({ taskDurationMs: 0, vmtoolsDelayMs: 0 });
const { accessKey, secretKey } = sim.credentials;
const scp = createScpClient({
  baseUrl: sim.url,
  auth: { type: "signature", accessKey, secretKey },
  tls: { ca: sim.ca },
});

console.log("SCP", (await scp.system.version()).version);
const pools = sim.poolIds.slice(0, 2);
const image = await publishProxyImage(scp, { serverId: sim.goldenServerId, imageName: "proxy-v1", azIds: pools });
await deployBackupProxyFleet(scp, {
  fleetId: "backup",
  imageId: image.imageId,
  pools: pools.map((azId) => ({ azId, count: 1 })),
});
console.table((await findBackupProxies(scp, { fleetId: "backup" })).map(({ name, ready }) => ({ name, ready })));
await sim.close();
