import type { ScpSessionLeftover } from "../../index.js";
import { type Paint, table } from "./output.js";
import { remainsLine } from "./report.js";
import type { AgentView, SessionKind } from "./session-kind.js";
import { formatBytes } from "./transfer-bar.js";

/** A held session's details for people: the head line, the kind's lines, and what the agent reads per disk. */
export function heldLines(paint: Paint, kind: SessionKind, view: AgentView): string[] {
  const title = kind.name === "backup" ? "Backup" : "Restore";
  const p = view.proxy;
  const disks = table(
    paint,
    ["DISK", "SIZE", "PROXY DISK", "SERIAL", "AREAS"],
    view.disks.map((d) => [
      d.diskId,
      formatBytes(d.sizeBytes),
      d.proxyDiskId,
      d.serial,
      d.changedAreas
        ? `${d.changedAreas.count} (${formatBytes(d.changedAreas.bytes)}) in ${d.changedAreas.file}`
        : kind.areas
          ? "(pass --changed-areas <dir>)"
          : "every block",
    ]),
  );
  return [
    `${paint.green("✓")} ${title} session ${view.sessionId} ${kind.name === "backup" ? "of" : "into"} VM ${view.serverId}: held`,
    `  proxy     ${p.name} (${p.serverId}) in pool ${p.azId ?? "?"}, ${p.slots} slots`,
    ...kind.lines(paint),
    `  lock      backup resource ${view.resourceId}, ${view.lockTimeMs / 1000} s at a time, renewed while held`,
    ...view.warnings.map((w) => `  ${paint.yellow("warning:")} ${w}`),
    disks,
  ];
}

/** How to let the session go, said on stderr once it is held. */
export function holdHint(holdSeconds: number | undefined): string {
  const how = "press Enter (or end stdin) to release it; Ctrl-C aborts";
  return holdSeconds === undefined
    ? `Held: ${how}.`
    : `Held for ${holdSeconds} s: press Enter to release it earlier; Ctrl-C aborts.`;
}

/** What a closed session did: committed or not, released, and anything that remains. */
export function resultLines(
  paint: Paint,
  kind: SessionKind,
  result: { commit: Record<string, unknown> | null; leftovers: readonly ScpSessionLeftover[] },
): string[] {
  const committed = result.commit !== null;
  const commitLine = committed
    ? `${paint.green("✓")} committed: ${kind.committedText(result.commit ?? {})}`
    : `not committed: ${kind.uncommittedText} (pass --commit, or answer y on a terminal)`;
  const releasedLine =
    result.leftovers.length === 0
      ? `${paint.green("✓")} released: disks detached, lock released${kind.releasedText(committed)}`
      : `${paint.red("✗")} released, but ${result.leftovers.length} thing(s) remain (scp-proxy sweep removes them):`;
  return [commitLine, releasedLine, ...result.leftovers.map((l) => remainsLine(paint, l))];
}
