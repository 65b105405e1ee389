// The whole backup-proxy story against an embedded SCP simulator (or a real SCP, see connect.ts):
// publish the proxy image, deploy a fleet across two pools, inventory, re-run, scale down, back a VM up through
// one of the fleet's proxies and restore it into a new VM, then destroy the fleet.
// Run: npm run demo
import {
  type BackupProxy,
  type DeployBackupProxyFleetInput,
  deployBackupProxyFleet,
  destroyBackupProxyFleet,
  type FleetProgress,
  findBackupProxies,
  type ImageProgress,
  openBackupSession,
  openRestoreSession,
  publishProxyImage,
} from "sangfor-scp-sdk";
import { copyIn, copyOut, rebuild, sha256 } from "./agent.js";
import { connect } from "./connect.js";

const FLEET = "demo";
const rows: string[][] = [];

function table(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

async function stage<T>(title: string, work: () => Promise<T>, summarize: (result: T) => string): Promise<T> {
  console.log(`\n▶ ${title}`);
  const started = performance.now();
  const result = await work();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  rows.push([title, summarize(result), `${seconds} s`]);
  console.log(`  ✓ ${summarize(result)} (${seconds} s)`);
  return result;
}

function progressLine(event: FleetProgress): void {
  if (event.phase === "done") {
    console.log(`    ${event.proxy.padEnd(24)} ${event.step}`);
  }
}

/** Prints each transfer phase at every quarter, 100% included. */
function percent() {
  const shown = new Map<string, number>();
  return ({ phase, doneBytes, totalBytes }: ImageProgress) => {
    const p = totalBytes ? Math.floor((doneBytes / totalBytes) * 100) : 0;
    if (p >= (shown.get(phase) ?? -1) + 25 || (p === 100 && shown.get(phase) !== 100)) {
      shown.set(phase, p);
      console.log(`    ${phase} ${p}%`);
    }
  };
}

function inventory(proxies: BackupProxy[]): string {
  const body = proxies.map((p) => [
    p.name,
    p.azId?.slice(0, 8) ?? "?",
    p.powerState ?? "?",
    p.vmtools,
    p.ready ? "ready" : p.notReady.join("; "),
  ]);
  return table(["proxy", "pool", "power", "vmtools", "status"], body);
}

const target = await connect({ backupLab: true });
try {
  const { scp, poolIds } = target;
  const pools = poolIds.slice(0, 2);
  console.log(`Connected to ${target.where}: SCP ${(await scp.system.version()).version}, pools ${pools.join(", ")}`);

  const image = await stage(
    "Publish the proxy image from the golden VM",
    () =>
      publishProxyImage(
        scp,
        { serverId: target.goldenServerId, imageName: "backup-proxy-v1", azIds: pools },
        { onProgress: percent() },
      ),
    (r) =>
      `image ${r.imageId.slice(0, 8)}… private, owned by the administrator, in ${r.azIds.length} pools${r.sizeBytes ? `, ${(r.sizeBytes / 2 ** 20).toFixed(0)} MiB, sha256 ${r.sha256?.slice(0, 12)}…` : ""}`,
  );

  const fleet: DeployBackupProxyFleetInput = {
    fleetId: FLEET,
    imageId: image.imageId,
    pools: pools.map((azId) => ({ azId, count: 2 })),
    vm: { slots: 4 },
    initScript: "echo 'backup agent configured' > /etc/backup-proxy.conf",
  };
  await stage(
    "Deploy the fleet: 2 proxies per pool",
    () => deployBackupProxyFleet(scp, fleet, { onProgress: progressLine }),
    (r) =>
      `${r.created.length} created, ${r.proxies.filter((p) => p.ready).length} ready, ${r.plan.capacity.totalSlots} disk slots`,
  );

  const proxies = await stage(
    "Inventory",
    () => findBackupProxies(scp, { fleetId: FLEET }),
    (r) => `${r.length} proxies`,
  );
  console.log(inventory(proxies).replace(/^/gm, "    "));

  await stage(
    "Re-run the same deployment",
    () => deployBackupProxyFleet(scp, fleet),
    (r) => (r.plan.unchanged ? "nothing to do" : `${r.created.length} created`),
  );

  const down = { ...fleet, pools: pools.map((azId) => ({ azId, count: 1 })) };
  await stage(
    "Scale down to 1 proxy per pool",
    () => deployBackupProxyFleet(scp, down, { prune: true, onProgress: progressLine }),
    (r) => `${r.removed.length} removed, ${r.proxies.length} left`,
  );

  const vm = target.backupServerId;
  const poolA = pools[0] ?? "";
  const proxyId = (await findBackupProxies(scp, { fleetId: FLEET, azId: poolA }))[0]?.serverId;
  if (vm && proxyId) {
    const sim = target.simulator;
    const backedUp = await stage(
      "Back up a VM through the fleet's proxy",
      async () => {
        await using session = await openBackupSession(scp, { serverId: vm, proxyId });
        const { backup, bytes } = await copyOut(session, sim);
        const { checkpointId } = await session.commit();
        return { backup, bytes, checkpointId, vmconf: session.snapshot.vmconf, proxy: session.proxy.name };
      },
      (r) =>
        `${(r.bytes / 1024).toFixed(0)} KiB read through ${r.proxy}; next incremental since checkpoint ${r.checkpointId}`,
    );
    await stage(
      "Restore it into a new VM",
      async () => {
        const newServer = { vmconf: backedUp.vmconf, azId: poolA, name: `${backedUp.vmconf.name}-restored` };
        await using restore = await openRestoreSession(scp, { newServer, proxyId });
        const written = await copyIn(restore, [backedUp.backup], sim);
        await restore.commit();
        const same = restore.disks.every(
          (d) =>
            !sim || sim.disks.sha256(restore.serverId, d.id) === sha256(rebuild([backedUp.backup], d.id, d.sizeBytes)),
        );
        return { serverId: restore.serverId, written, same };
      },
      (r) =>
        `VM ${r.serverId.slice(0, 8)}…, ${(r.written / 1024).toFixed(0)} KiB written${r.same ? ", disks match the backup" : ""}`,
    );
  }

  await stage(
    "Destroy the fleet",
    () => destroyBackupProxyFleet(scp, { fleetId: FLEET }),
    (r) => `${r.removed.length} removed`,
  );

  console.log(`\nSummary\n${table(["step", "result", "time"], rows)}`);
} finally {
  await target.close();
}
