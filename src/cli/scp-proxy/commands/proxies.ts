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
  return table(
    paint,
    ["NAME", "ID", "POOL", "FLEET", "POWER", "VMTOOLS", "READY"],
    proxies.map((p) => [
      p.name,
      p.serverId,
      p.azId ?? "",
      p.fleetId ?? "",
      p.powerState ?? "",
      p.vmtools,
      p.ready ? paint.green("ready") : paint.yellow(p.notReady.join("; ")),
    ]),
  );
}

/** `proxies`: backup proxies with their readiness, of every fleet or none. */
export function registerProxies(program: Command, session: Session): void {
  program
    .command("proxies")
    .description("list backup proxies (VMs marked as such, of any fleet or none) and whether each is ready")
    .option("--pool <azId>", "only this resource pool")
    .option("--fleet <fleetId>", "only this fleet's proxies")
    .action(async (flags: { pool?: string; fleet?: string }) => {
      const scp = await session.client();
      const input = given({ azId: flags.pool, fleetId: flags.fleet });
      const proxies = await findBackupProxies(scp, input, { signal: session.signal }).catch((error: unknown) => {
        throw inCliTerms(error, { fields: { azId: "--pool", fleetId: "--fleet" } });
      });
      session.result({ proxies }, (paint) => [proxyTable(paint, proxies)]);
    });
}
