import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import {
  BACKUP_PROXY_OS_NAME,
  deployBackupProxyFleet,
  destroyBackupProxyFleet,
  exportProxyImage,
  findBackupProxies,
  importProxyImage,
  markAsBackupProxy,
  publishProxyImage,
  runGuestScript,
  type ScpClient,
  ScpStateError,
  ScpTaskError,
  ScpUnsupportedVersionError,
  ScpValidationError,
  unmarkBackupProxy,
  waitForVmtools,
} from "../../src/index.js";
import { FAST, simulated } from "../support/sim.js";

test("markAsBackupProxy sets os_name, shows up in the inventory, and unmark reverses it", async () => {
  const { scp, sim } = simulated();
  const id = sim.goldenServerId;
  await markAsBackupProxy(scp, id, FAST);
  expect((await scp.servers.get(id)).os_name).toBe(BACKUP_PROXY_OS_NAME);
  const [proxy] = (await findBackupProxies(scp)).filter((p) => p.serverId === id);
  expect(proxy).toMatchObject({ fleetId: undefined, powerState: "off", ready: false });
  expect(proxy?.notReady).toContain("powered off");
  await unmarkBackupProxy(scp, id, { osName: "CentOS 7" }, FAST);
  expect((await scp.servers.get(id)).os_name).toBe("CentOS 7");
  expect((await findBackupProxies(scp)).some((p) => p.serverId === id)).toBe(false);
});

test("marking twice sends one edit", async () => {
  const { scp, sim, mutations } = simulated();
  await markAsBackupProxy(scp, sim.goldenServerId, FAST);
  const before = mutations().length;
  await markAsBackupProxy(scp, sim.goldenServerId, FAST);
  expect(mutations().length).toBe(before);
});

test("marking needs SCP 6.11.3; unmarking needs a real OS name", async () => {
  const { scp, sim, mutations } = simulated({ scpVersion: "6.10.1" });
  await expect(markAsBackupProxy(scp, sim.goldenServerId)).rejects.toBeInstanceOf(ScpUnsupportedVersionError);
  await expect(unmarkBackupProxy(scp, sim.goldenServerId, { osName: BACKUP_PROXY_OS_NAME })).rejects.toBeInstanceOf(
    ScpValidationError,
  );
  expect(mutations()).toEqual([]);
});

test("runGuestScript runs in a running VM once vmtools is installed and records the command", async () => {
  const { scp, sim } = simulated();
  await scp.tasks.wait(await scp.servers.start(sim.goldenServerId), FAST);
  const result = await runGuestScript(scp, sim.goldenServerId, "uname -a", FAST);
  expect(result.task.status).toBe("finish");
  expect(sim.state().guestCommands[sim.goldenServerId]).toEqual(["uname -a"]);
});

test("runGuestScript says the VM is stopped instead of waiting forever", async () => {
  const { scp, sim } = simulated();
  const error = await runGuestScript(scp, sim.goldenServerId, "true", FAST).catch((e) => e);
  expect(error).toBeInstanceOf(ScpStateError);
  expect(error.message).toContain("the VM is stopped");
});

test("a failing guest script is an ScpTaskError with SCP's reason", async () => {
  const { scp, sim } = simulated();
  await scp.tasks.wait(await scp.servers.start(sim.goldenServerId), FAST);
  sim.faults.add({
    kind: "task-failure",
    match: "POST /janus/20180725/custom/orchestration-tasks/action",
    reason: "command not found",
  });
  const error = await runGuestScript(scp, sim.goldenServerId, "nope", FAST).catch((e) => e);
  expect(error).toBeInstanceOf(ScpTaskError);
  expect(error.message).toContain("command not found");
});

test("every building block refuses bad options before its first request, so a retry never runs twice", async () => {
  const { scp, sim, calls } = simulated();
  await scp.tasks.wait(await scp.servers.start(sim.goldenServerId), FAST);
  const before = calls.length;
  const id = sim.goldenServerId;
  const attempts = [
    () => runGuestScript(scp, id, "rm -rf /tmp/cache", { timeoutMs: 0 } as never),
    () => runGuestScript(scp, id, "rm -rf /tmp/cache", { maxWaitMs: 0 }),
    () => runGuestScript(scp, id, "", FAST),
    () => runGuestScript(scp, "../../etc", "true", FAST),
    () => markAsBackupProxy(scp, id, { pollIntervalMs: 0 }),
    () => markAsBackupProxy(scp, id, { signal: "stop" } as never),
    () => unmarkBackupProxy(scp, id, { osName: "CentOS 7" }, { maxIntervalMs: -1 }),
    () => waitForVmtools(scp, id, { pollIntervalMs: Number.POSITIVE_INFINITY }),
  ];
  for (const attempt of attempts) {
    await expect(attempt()).rejects.toBeInstanceOf(ScpValidationError);
  }
  expect(calls.length).toBe(before);
  expect(sim.state().guestCommands[id]).toBeUndefined();
});

test("every workflow refuses something that is not a client, typed and before anything else", async () => {
  const notClients = [null, undefined, {}, "scp", { servers: {} }];
  const id = "5d0c9a1e-0000-4000-8000-000000000001";
  for (const scp of notClients as ScpClient[]) {
    for (const run of [
      () => deployBackupProxyFleet(scp, { fleetId: "acme", imageId: id, pools: [{ azId: id, count: 1 }] }),
      () => destroyBackupProxyFleet(scp, { fleetId: "acme" }),
      () => findBackupProxies(scp, { fleetId: "acme" }),
      () => exportProxyImage(scp, { serverId: id, imageName: "g", file: join(tmpdir(), "never.vma") }),
      () => importProxyImage(scp, { file: fileURLToPath(import.meta.url), imageName: "p", azIds: [id] }),
      () => publishProxyImage(scp, { serverId: id, imageName: "p", azIds: [id] }),
      () => markAsBackupProxy(scp, id),
      () => unmarkBackupProxy(scp, id, { osName: "Linux" }),
      () => waitForVmtools(scp, id),
      () => runGuestScript(scp, id, "true"),
    ]) {
      await expect(run()).rejects.toBeInstanceOf(ScpValidationError);
    }
  }
});
