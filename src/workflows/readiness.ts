import { z } from "zod";
import type { Server } from "../types.js";
import { parseInput } from "../validate.js";
import { BACKUP_PROXY_OS_NAME, parseMarker, scriptDigest } from "./marker.js";

/** What vmtools reports in a VM. */
export type VmtoolsState = "installed" | "not-installed" | "failed" | "unsupported" | "unknown";

/** One reason a VM cannot serve as a backup proxy (yet); {@link describeProblem} puts it in words. */
export type ProxyProblem =
  | { readonly kind: "creating" }
  | { readonly kind: "not-marked"; readonly osName: string | undefined }
  | { readonly kind: "powered-off" }
  | { readonly kind: "vmtools"; readonly state: Exclude<VmtoolsState, "installed"> }
  | { readonly kind: "not-owned"; readonly fleetId: string }
  | { readonly kind: "init-pending" };

const VMTOOLS: Readonly<Record<string, VmtoolsState>> = {
  "1": "installed",
  "0": "not-installed",
  "-1": "failed",
  "-2": "unsupported",
};

/** What vmtools reports in the VM, from its `vtool_installed` code. @internal */
export function vmtoolsState(server: Pick<Server, "vtool_installed">): VmtoolsState {
  return VMTOOLS[String(server.vtool_installed)] ?? "unknown";
}

/** What else a proxy must be: owned by this fleet, with this init script run. @internal */
export interface ReadinessWants {
  /** The fleet whose ownership marker it must carry. */
  fleetId?: string | undefined;
  /** The init script that must have run in it (its marker records the digest). */
  initScript?: string | undefined;
}

/**
 * The one readiness check of a backup proxy: everything that keeps the VM from serving HotAdd backups now, as
 * data (empty when ready). The fleet's plan, its final check and the inventory all use it.
 * @internal
 */
export function proxyProblems(server: Server, wants: ReadinessWants = {}): ProxyProblem[] {
  const problems: ProxyProblem[] = [];
  const marker = parseMarker(server.description);
  if (wants.fleetId !== undefined && marker?.fleetId !== wants.fleetId) {
    problems.push({ kind: "not-owned", fleetId: wants.fleetId });
  }
  if (server.os_name !== BACKUP_PROXY_OS_NAME) {
    problems.push({ kind: "not-marked", osName: server.os_name });
  }
  // While it is being created its power state says nothing.
  if (server.status === "creating") {
    problems.push({ kind: "creating" });
  } else if (server.power_state !== "on") {
    problems.push({ kind: "powered-off" });
  }
  const vmtools = vmtoolsState(server);
  if (vmtools !== "installed") {
    problems.push({ kind: "vmtools", state: vmtools });
  }
  if (wants.initScript !== undefined && marker?.initDigest !== scriptDigest(wants.initScript)) {
    problems.push({ kind: "init-pending" });
  }
  return problems;
}

const ProblemSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("creating") }),
  z.object({ kind: z.literal("not-marked"), osName: z.string().optional() }),
  z.object({ kind: z.literal("powered-off") }),
  z.object({ kind: z.literal("vmtools"), state: z.enum(["not-installed", "failed", "unsupported", "unknown"]) }),
  z.object({ kind: z.literal("not-owned"), fleetId: z.string() }),
  z.object({ kind: z.literal("init-pending") }),
]);

/**
 * One problem in words, as the inventory and errors show it.
 * @throws {@link ScpValidationError} when `problem` is not a {@link ProxyProblem}.
 */
export function describeProblem(problem: ProxyProblem): string {
  parseInput(ProblemSchema, problem, "proxy problem");
  switch (problem.kind) {
    case "creating":
      return "still being created";
    case "not-marked":
      return `os_name is ${JSON.stringify(problem.osName ?? "")}, not "${BACKUP_PROXY_OS_NAME}"`;
    case "powered-off":
      return "powered off";
    case "vmtools":
      return `vmtools ${problem.state}`;
    case "not-owned":
      return `no ownership marker of fleet ${problem.fleetId}`;
    case "init-pending":
      return "init script not run";
  }
}

/** True when the list holds a problem of that kind. @internal */
export function hasProblem(problems: readonly ProxyProblem[], kind: ProxyProblem["kind"]): boolean {
  return problems.some((p) => p.kind === kind);
}
