// Which proxy a session uses, and that this process's sessions never put more disks on a proxy than its slots.
import { expect, test } from "vitest";
import {
  findBackupProxies,
  openBackupSession,
  type ScpClient,
  ScpPreflightError,
  ScpServerError,
  ScpTimeoutError,
  ScpValidationError,
  selectBackupProxy,
} from "../../src/index.js";
import { testClient } from "../support/client.js";
import { fail, hangingFetch, scriptedFetch } from "../support/scripted-fetch.js";
import { FAST } from "../support/sim.js";
import { lab } from "./session-env.js";

test("the ready proxy of the VM's own pool is chosen, with its slots", async () => {
  const { scp, sim, lab: l } = lab();
  const a = await selectBackupProxy(scp, { serverId: l.vms.running });
  expect(a).toMatchObject({ serverId: l.proxies[sim.poolIds[0] as string], ready: true, slots: 4, freeSlots: 4 });
  const b = await selectBackupProxy(scp, { serverId: l.vms.otherPool });
  expect(b.serverId).toBe(l.proxies[sim.poolIds[1] as string]);
});

test("no fitting proxy is refused in words, proxy by proxy", async () => {
  const { scp, lab: l, proxyA } = lab();
  await scp.tasks.wait(await scp.servers.stop(proxyA, { force: true }), FAST);
  const error = await selectBackupProxy(scp, { serverId: l.vms.running }).catch((e) => e);
  expect(error).toBeInstanceOf(ScpPreflightError);
  // The pool's proxies: the lab's (now stopped) and a spare that never ran.
  expect(error.checks.map((c: { detail: string }) => c.detail)).toEqual(["powered off", "powered off"]);
});

test("a proxy whose slots are all taken by hot-added disks is not chosen", async () => {
  const { scp, lab: l, proxyA } = lab();
  await scp.tasks.wait(await scp.servers.update(proxyA, { memory_mb: 2048 }), FAST); // one slot
  const held = await scp.hotAdd.attach(proxyA, [
    { serverId: l.vms.stopped, diskId: "virtio0", application: "restore" },
  ]);
  await scp.tasks.wait(held, FAST);
  const error = await selectBackupProxy(scp, { serverId: l.vms.running }).catch((e) => e);
  expect(error.checks.map((c: { detail: string }) => c.detail)).toContain("all 1 slots taken by hot-added disks");
});

test("sessions in one process wait for a slot of their proxy rather than exceed its slots", async () => {
  const { scp, sim, lab: l, proxyA, opts } = lab();
  await scp.tasks.wait(await scp.servers.update(proxyA, { memory_mb: 4096 }), FAST); // two slots
  const first = await openBackupSession(scp, { serverId: l.vms.running }, opts);
  const second = await openBackupSession(scp, { serverId: l.vms.noVmtools }, opts);
  expect(first.proxy.slots).toBe(2);
  const d0 = await first.attach("virtio0");
  await first.attach("virtio1");
  let attached = false;
  const waiting = second.attach("virtio0").then((d) => {
    attached = true;
    return d;
  });
  // Round trips of our own give the waiting attach every chance to go ahead wrongly.
  for (let i = 0; i < 3; i++) {
    expect(await scp.hotAdd.attached(proxyA)).toHaveLength(2);
  }
  expect(attached).toBe(false);
  await d0.detach();
  const d2 = await waiting;
  expect(d2.serial).toMatch(/^[0-9a-f]{20}$/);
  expect(sim.state().hotAddedDisks[proxyA]).toHaveLength(2);
  await first.close();
  await second.close();
  expect(sim.state().hotAddedDisks).toEqual({});
});

test("a client without its servers group is refused before any request, not with a TypeError", async () => {
  const fetch = scriptedFetch([]);
  const broken = { ...testClient({ fetch }), servers: undefined } as unknown as ScpClient;
  const error = await selectBackupProxy(broken, { serverId: "vm-1" }).catch((e) => e);
  expect(error).toBeInstanceOf(ScpValidationError);
  expect(error.subject).toBe("selectBackupProxy client");
  expect(fetch.requests).toEqual([]);
});

test("the read-only proxy workflows apply each request's timeoutMs and retry, and refuse a clientToken unsent", async () => {
  // The client retries twice; retry: false must stop at the first 503.
  const failing = scriptedFetch([fail(503, "busy")]);
  const scp = testClient({ fetch: failing });
  await expect(selectBackupProxy(scp, { serverId: "vm-1" }, { retry: false })).rejects.toBeInstanceOf(ScpServerError);
  expect(failing.requests).toHaveLength(1);
  await expect(findBackupProxies(scp, {}, { retry: false })).rejects.toBeInstanceOf(ScpServerError);
  expect(failing.requests).toHaveLength(2);
  // The client would wait 10 minutes; the call's own 30 ms must end the attempt.
  const hanging = hangingFetch();
  const slow = testClient({ fetch: hanging, retry: false, timeoutMs: 600_000 });
  const timedOut = { timeoutMs: 30 };
  const found = await findBackupProxies(slow, {}, { timeoutMs: 30 }).catch((e) => e);
  expect(found).toBeInstanceOf(ScpTimeoutError);
  expect(found).toMatchObject(timedOut);
  const selected = await selectBackupProxy(slow, { serverId: "vm-1" }, { timeoutMs: 30 }).catch((e) => e);
  expect(selected).toBeInstanceOf(ScpTimeoutError);
  expect(selected).toMatchObject(timedOut);
  const token = { clientToken: "t-1" } as never;
  const refused = await selectBackupProxy(slow, { serverId: "vm-1" }, token).catch((e) => e);
  expect(refused).toBeInstanceOf(ScpValidationError);
  expect(refused.subject).toBe("selectBackupProxy options");
  await expect(findBackupProxies(slow, {}, token)).rejects.toBeInstanceOf(ScpValidationError);
  expect(hanging.calls).toBe(2);
});
