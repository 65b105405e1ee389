import type { Command } from "commander";
import { type BackupProxy, findBackupProxies } from "../../../index.js";
import { given, inCliTerms } from "../flags.js";
import { type Paint, table } from "../output.js";
import type { Session } from "../session.js";

/** The inventory table of backup proxies, with readiness in words. */
export function proxyTable(paint: Paint, proxies: readonly BackupProxy[]): string {
  if (proxies.length === 0) {
    return "no backup proxies";
  }
  // The held disks' column only when they were read (`--held-disks`).
  const held = proxies.some((p) => p.heldDisks !== undefined);
  return table(
    paint,
    ["NAME", "ID", "POOL", "FLEET", "POWER", "VMTOOLS", "READY", ...(held ? ["HOLDS"] : [])],
    proxies.map((p) => [
      p.name,
      p.serverId,
      p.azId ?? "",
      p.fleetId ?? "",
      p.powerState ?? "",
      p.vmtools,
      p.ready ? paint.green("ready") : paint.yellow(p.notReady.join("; ")),
      ...(held ? [heldText(p)] : []),
    ]),
  );
}

/** The disks a proxy holds, in words: `virtio0 of <vm> (backup)`, or nothing. */
function heldText(proxy: BackupProxy): string {
  const disks = proxy.heldDisks ?? [];
  return disks.length === 0
    ? "-"
    : disks.map((d) => `${d.diskId} of ${d.serverId} (${d.application ?? "?"})`).join(", ");
}

/** `proxies`: backup proxies with their readiness, of every fleet or none. */
export function registerProxies(program: Command, session: Session): void {
  program
    .command("proxies")
    .description("list backup proxies (VMs marked as such, of any fleet or none) and whether each is ready")
    .option("--pool <azId>", "only this resource pool")
    .option("--fleet <fleetId>", "only this fleet's proxies")
    .option("--held-disks", "also read which disks each proxy holds (a backup or restore in progress, or left by one)")
    .action(async (flags: { pool?: string; fleet?: string; heldDisks?: boolean }) => {
      const scp = await session.client();
      const input = given({ azId: flags.pool, fleetId: flags.fleet, includeHeldDisks: flags.heldDisks });
      const proxies = await findBackupProxies(scp, input, { signal: session.signal }).catch((error: unknown) => {
        throw inCliTerms(error, { fields: { azId: "--pool", fleetId: "--fleet" } });
      });
      session.result({ proxies }, (paint) => [proxyTable(paint, proxies)]);
    });
}
