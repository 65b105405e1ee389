// How a held session ends when the operator does not release it: Ctrl-C cleans up, a lost lock fails clearly and
// cleans up, and after a SIGKILL `scp-proxy sweep` removes what the killed run held.
import { describe, expect, it } from "vitest";
import { document, scpProxy, useSimulator } from "./cli-env.js";
import { heldOn, holdSession, labOf, NOTHING, sessionEnv } from "./session-env.js";

const sim = useSimulator({ backupLab: true, serverCount: 0 });

describe("a held session that is not released", () => {
  it("Ctrl-C: the session is closed (disks, lock, snapshot gone), nothing committed, exit 130", async () => {
    const vm = labOf(sim).vms.running;
    const held = await holdSession(sim, ["backup", "session", vm, "--commit"]);
    expect(heldOn(sim, vm)).toEqual({ hotAdded: 2, locks: 1, snapshots: 1 });
    held.run.child.kill("SIGINT");
    const ran = await held.run.ended;
    expect(ran.code).toBe(130);
    expect(document(ran)).toMatchObject({ error: { exitCode: 130, message: "interrupted by SIGINT" } });
    expect(ran.stderr).toContain("SIGINT: stopping");
    expect(heldOn(sim, vm)).toEqual(NOTHING);
  }, 60_000);

  it("a lost lock ends the session with ScpSessionLostError (exit 1) and the cleanup still runs", async () => {
    const vm = labOf(sim).vms.otherPool;
    // A lock looked at every second, so its loss is seen at once.
    const quick = ["--lock-time-ms", "60000", "--renew-margin-ms", "59000"];
    const held = await holdSession(sim, ["backup", "session", vm, "--commit", ...quick]);
    // Someone else releases the lock.
    const released = await sim.scp.backupResources.delete(held.view.resourceId);
    await (released.taskId && sim.scp.tasks.wait(released.taskId, { pollIntervalMs: 10 }));
    const ran = await held.run.ended;
    expect(ran.code).toBe(1);
    expect(document(ran)).toMatchObject({
      error: { name: "ScpSessionLostError", sessionId: held.view.sessionId, resourceId: held.view.resourceId },
    });
    expect(ran.stderr).toMatch(/lost backup resource .*: it was released or deleted by someone else/);
    expect(heldOn(sim, vm)).toEqual(NOTHING);
  }, 60_000);

  it("SIGKILL leaves the session's disks, lock and snapshot; sweep plans them, then removes exactly them", async () => {
    const vm = labOf(sim).vms.running;
    const held = await holdSession(sim, ["backup", "session", vm]);
    held.run.child.kill("SIGKILL");
    await held.run.ended;
    expect(heldOn(sim, vm)).toEqual({ hotAdded: 2, locks: 1, snapshots: 1 });

    const sweep = async (...args: string[]) => {
      const ran = await scpProxy(["--json", ...sim.flags, "sweep", ...args], sessionEnv(sim));
      expect({ code: ran.code, stderr: ran.stderr }).toEqual({ code: 0, stderr: "" });
      return document(ran) as Record<"plan" | "removed" | "remaining", { kind: string; id: string }[]>;
    };
    const expected = [
      ...held.view.disks.map((d) => `hot-added-disk ${d.proxyDiskId}`),
      `backup-resource ${held.view.resourceId}`,
      `snapshot ${held.view.snapshot?.id}`,
    ].sort();
    const ids = (list: { kind: string; id: string }[]) => list.map((l) => `${l.kind} ${l.id}`).sort();
    const dry = await sweep("--dry-run");
    expect({ plan: ids(dry.plan), removed: dry.removed, remaining: dry.remaining }).toEqual({
      plan: expected,
      removed: [],
      remaining: [],
    });
    expect(heldOn(sim, vm)).toEqual({ hotAdded: 2, locks: 1, snapshots: 1 });
    const swept = await sweep();
    expect({ removed: ids(swept.removed), remaining: swept.remaining }).toEqual({ removed: expected, remaining: [] });
    expect(heldOn(sim, vm)).toEqual(NOTHING);
    expect(await sweep()).toEqual({ plan: [], removed: [], remaining: [] });
  }, 60_000);
});
