import type { Command } from "commander";
import {
  type BackupLeftover,
  STATE_DIR_ENV,
  type SweepBackupLeftoversResult,
  sweepBackupLeftovers,
} from "../../../index.js";
import { EXIT } from "../exit-codes.js";
import { given, inCliTerms, wholeNumber } from "../flags.js";
import { type Paint, table } from "../output.js";
import { remainsLine } from "../report.js";
import type { Session } from "../session.js";

interface SweepFlags {
  dryRun?: boolean;
  stateDir?: string;
  cleanupMaxWaitMs?: number;
}

const same = (a: BackupLeftover) => (b: BackupLeftover) => a.kind === b.kind && a.id === b.id;

/** Leftovers the sweep tried to remove and could not (not locks it never could find: those expire). */
function failedRemovals(result: SweepBackupLeftoversResult): BackupLeftover[] {
  return result.remaining.filter((r) => result.plan.some(same(r)) && !result.removed.some(same(r)));
}

function sweepLines(paint: Paint, result: SweepBackupLeftoversResult, dryRun: boolean): string[] {
  const rows = (list: readonly BackupLeftover[]) =>
    table(
      paint,
      ["KIND", "ID", "VM", "SESSION", "WHAT"],
      list.map((l) => [l.kind, l.id, l.serverId, l.sessionId, l.detail]),
    );
  const found = result.plan;
  const lines =
    found.length === 0
      ? ["Nothing left behind by crashed sessions."]
      : dryRun
        ? [`Would remove ${found.length} thing(s) crashed sessions left (run without --dry-run):`, rows(found)]
        : [`${paint.green("✓")} removed ${result.removed.length} of ${found.length}:`, rows(result.removed)];
  const remaining = result.remaining.map((r) => remainsLine(paint, r));
  return [...lines, ...(remaining.length > 0 ? ["Remaining:", ...remaining] : [])];
}

/** `sweep`: removes what crashed backup and restore sessions left (a dry run lists it first). */
export function registerSweep(program: Command, session: Session): void {
  program
    .command("sweep")
    .description("find and remove what crashed backup and restore sessions left: hot-added disks, locks, snapshots")
    .option("--dry-run", "list what would be removed; change nothing")
    .option("--state-dir <path>", `where the sessions' journals are (default: ${STATE_DIR_ENV}, else a cache dir)`)
    .option("--cleanup-max-wait-ms <ms>", "longest time the removals may take (default 600000)", wholeNumber)
    .action(async (flags: SweepFlags) => {
      const scp = await session.client();
      const options = {
        signal: session.signal,
        ...given({ dryRun: flags.dryRun, stateDir: flags.stateDir, cleanupMaxWaitMs: flags.cleanupMaxWaitMs }),
      };
      const result = await sweepBackupLeftovers(scp, options).catch((error: unknown) => {
        throw inCliTerms(error);
      });
      const failed = failedRemovals(result).length > 0 && flags.dryRun !== true;
      session.result(
        result,
        (paint) => sweepLines(paint, result, flags.dryRun === true),
        failed ? EXIT.failed : EXIT.ok,
      );
    });
}
