// Lists backup proxies with their readiness (SCP_FLEET narrows it to one fleet).
import { findBackupProxies } from "sangfor-scp-sdk";
import { connect } from "./connect.js";

const target = await connect();
try {
  const fleetId = process.env.SCP_FLEET;
  const proxies = await findBackupProxies(target.scp, fleetId ? { fleetId } : {});
  console.table(
    proxies.map((p) => ({
      name: p.name,
      pool: p.azId,
      fleet: p.fleetId ?? "-",
      power: p.powerState,
      vmtools: p.vmtools,
      ready: p.ready,
    })),
  );
} finally {
  await target.close();
}
