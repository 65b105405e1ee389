import type { Command } from "commander";
import {
  type DeployBackupProxyFleetInput,
  type DeployBackupProxyFleetOptions,
  deployBackupProxyFleet,
  destroyBackupProxyFleet,
  findBackupProxies,
} from "../../../index.js";
import { CliInputError } from "../exit-codes.js";
import { collect, given, inCliTerms, wholeNumber } from "../flags.js";
import { planLines, poolCounts } from "../fleet-render.js";
import { table } from "../output.js";
import type { Session } from "../session.js";
import { fleetOf, readSpec } from "../spec.js";
import { proxyTable } from "./proxies.js";

interface DeployFlags {
  prune?: boolean;
  concurrency?: number;
  maxUnavailable?: number;
  cleanup: boolean;
  vmtoolsMaxWaitMs?: number;
  cleanupMaxWaitMs?: number;
}

/** The workflow's options from the flags (only those given: the SDK's defaults are the documented ones). */
function deployOptions(flags: DeployFlags): DeployBackupProxyFleetOptions {
  const { prune, concurrency, maxUnavailable, vmtoolsMaxWaitMs, cleanupMaxWaitMs } = flags;
  const cleanupOnError = flags.cleanup === false ? false : undefined;
  return given({ prune, concurrency, maxUnavailable, cleanupOnError, vmtoolsMaxWaitMs, cleanupMaxWaitMs });
}

/** Deploys (or plans) from a spec file, checked with the API's own rules before anything connects. */
async function deploy(session: Session, specPath: string, options: DeployBackupProxyFleetOptions) {
  try {
    // The spec is checked (offline) before the client connects.
    const spec: DeployBackupProxyFleetInput = await readSpec(specPath);
    const scp = await session.client();
    return await deployBackupProxyFleet(scp, spec, { ...options, signal: session.signal });
  } catch (error) {
    throw inCliTerms(error, { spec: specPath, fields: { cleanupOnError: "--no-cleanup" } });
  }
}

function registerPlan(fleet: Command, session: Session): void {
  fleet
    .command("plan")
    .description("show what deploy would do (checks the spec and the platform; changes nothing)")
    .argument("<spec>", "fleet spec file, YAML or JSON")
    .option("--prune", "plan to remove proxies beyond the wanted counts")
    .option(
      "--max-unavailable <n>",
      "proxies per pool out of service at once when replacing (0: create first)",
      wholeNumber,
    )
    .action(async (specPath: string, flags: DeployFlags) => {
      const result = await deploy(session, specPath, { ...deployOptions(flags), dryRun: true });
      session.result(result, (paint) => planLines(paint, result.plan));
    });
}

function registerDeploy(fleet: Command, session: Session): void {
  fleet
    .command("deploy")
    .description("make the fleet match the spec: create, repair, replace and (with --prune) remove proxies")
    .argument("<spec>", "fleet spec file, YAML or JSON")
    .option("--prune", "remove the fleet's proxies beyond the wanted counts (and in pools not listed)")
    .option("--concurrency <n>", "changes in flight per pool (default 4)", wholeNumber)
    .option("--max-unavailable <n>", "proxies per pool out of service at once when replacing (default 1)", wholeNumber)
    .option("--no-cleanup", "keep what a failed or interrupted run created")
    .option("--vmtools-max-wait-ms <ms>", "longest wait for vmtools in a new proxy (default 600000)", wholeNumber)
    .option(
      "--cleanup-max-wait-ms <ms>",
      "longest time the clean-up of a failed run may take (default 600000)",
      wholeNumber,
    )
    .action(async (specPath: string, flags: DeployFlags) => {
      const view = session.fleetView();
      const result = await deploy(session, specPath, { ...deployOptions(flags), onProgress: view.onProgress });
      session.result(result, (paint) => [
        `${paint.green("✓")} fleet ${result.plan.fleetId}: ${result.plan.unchanged ? "already as wanted" : "deployed"}` +
          ` (created ${result.created.length}, kept ${result.adopted.length}, removed ${result.removed.length})`,
        proxyTable(paint, result.proxies),
        ...result.plan.warnings.map((w) => `${paint.yellow("warning:")} ${w}`),
      ]);
    });
}

function registerStatus(fleet: Command, session: Session): void {
  fleet
    .command("status")
    .description("show the fleet's proxies and readiness per pool (reads only)")
    .argument("<fleet>", "fleet id, or the fleet's spec file (then wanted counts are shown too)")
    .action(async (ref: string) => {
      const { fleetId, spec } = await fleetOf(ref).catch((error: unknown) => {
        throw inCliTerms(error, { spec: ref });
      });
      const scp = await session.client();
      const proxies = await findBackupProxies(scp, { fleetId }, { signal: session.signal }).catch((error) => {
        throw inCliTerms(error, spec ? { spec: ref } : { fields: { fleetId: "<fleet>" } });
      });
      const wanted = new Map((spec?.pools ?? []).map((p) => [p.azId, p.count] as const));
      const pools = poolCounts(proxies, wanted);
      session.result({ fleetId, pools, proxies }, (paint) => [
        `Fleet ${paint.bold(fleetId)}: ${proxies.length} proxies, ${proxies.filter((p) => p.ready).length} ready`,
        table(
          paint,
          ["POOL", "WANT", "HAVE", "READY"],
          pools.map((p) => [p.azId, p.want === undefined ? "" : String(p.want), String(p.have), String(p.ready)]),
        ),
        "",
        proxyTable(paint, proxies),
      ]);
    });
}

interface DestroyFlags {
  pool?: string[];
  dryRun?: boolean;
  yes?: boolean;
  concurrency?: number;
  force?: boolean;
}

function registerDestroy(fleet: Command, session: Session): void {
  fleet
    .command("destroy")
    .description("delete the fleet's proxies (only VMs carrying its ownership marker)")
    .argument("<fleet>", "fleet id, or the fleet's spec file")
    .option("--pool <azId>", "only in this pool (repeat, or comma-separate, for more)", collect)
    .option("--dry-run", "list what would be deleted; change nothing")
    .option("--yes", "really delete (required unless --dry-run)")
    .option("--concurrency <n>", "deletions in flight per pool (default 4)", wholeNumber)
    .option("--force", "also delete proxies that hold other VMs' disks, removing the disks first (their sessions fail)")
    .action(async (ref: string, flags: DestroyFlags) => {
      if (!flags.dryRun && !flags.yes) {
        const message = "destroy deletes VMs: pass --yes to go ahead (or --dry-run to list them)";
        throw new CliInputError([{ path: "--yes", message }]);
      }
      const { fleetId } = await fleetOf(ref).catch((error: unknown) => {
        throw inCliTerms(error, { spec: ref });
      });
      const scp = await session.client();
      const view = session.fleetView();
      const input = { fleetId, ...(flags.pool ? { azIds: flags.pool } : {}) };
      const options = {
        signal: session.signal,
        onProgress: view.onProgress,
        ...given({ dryRun: flags.dryRun, concurrency: flags.concurrency, force: flags.force }),
      };
      const result = await destroyBackupProxyFleet(scp, input, options).catch((error) => {
        throw inCliTerms(error, { fields: { fleetId: "<fleet>", azIds: "--pool" } });
      });
      session.result(result, (paint) => [
        flags.dryRun
          ? `would delete ${result.targets.length} proxies of fleet ${fleetId}:`
          : `${paint.green("✓")} deleted ${result.removed.length} proxies of fleet ${fleetId}`,
        proxyTable(paint, result.targets),
      ]);
    });
}

/** `fleet plan|deploy|status|destroy`: a backup-proxy fleet described by a spec file. */
export function registerFleet(program: Command, session: Session): void {
  const fleet = program.command("fleet").description("deploy and manage a backup-proxy fleet from a spec file");
  registerPlan(fleet, session);
  registerDeploy(fleet, session);
  registerStatus(fleet, session);
  registerDestroy(fleet, session);
}
