import type { ScpSimulator } from "../../src/simulator/index.js";
import type { Call, ContractEnv, Scenario } from "./contract-scenarios.js";
import { type ApiResult, createVmFromImage } from "./support.js";

const S18 = "/janus/20180725/servers";
const BR = "/janus/20180725/backup-resources";
const MISSING = "00000000-0000-4000-8000-000000000000";

function lab(env: ContractEnv): { sim: ScpSimulator; call: Call; ids: NonNullable<ScpSimulator["lab"]> } {
  const ids = env.lab.sim.lab;
  if (!ids) {
    throw new Error("the contract's lab simulator has no backup lab");
  }
  return { ...env.lab, ids };
}

/** Reads the task (tasks take no time here, so any later request finishes it). */
async function settle(call: Call, started: ApiResult): Promise<ApiResult> {
  await call("GET", `/janus/20180725/tasks/${started.body.data.task_id}`);
  return started;
}

/** A fresh HCI VM in the lab's first pool, so scenarios never share locks or snapshots. */
async function freshVm(env: ContractEnv, powerOn: 0 | 1 = 0): Promise<string> {
  const { sim, call } = lab(env);
  const disks = [{ id: "virtio0", size_mb: 16 }];
  const created = await createVmFromImage(call, sim.poolIds[0] ?? "", disks, { powerOn, name: "contract-backup-vm" });
  await settle(call, created);
  return created.body.data.uuids[0];
}

async function snapshotOf(env: ContractEnv, serverId: string): Promise<string> {
  const { call } = lab(env);
  const taken = await settle(
    call,
    await call("POST", `/janus/20190725/servers/${serverId}/snapshots`, { json: { name: "s" } }),
  );
  return taken.body.data.resource_id;
}

async function withCbt(env: ContractEnv, serverId: string): Promise<void> {
  const { call } = lab(env);
  await settle(call, await call("PUT", `${S18}/${serverId}/cbt/status`, { json: { type: "enable" } }));
}

async function resourceFor(env: ContractEnv): Promise<string> {
  const { call } = lab(env);
  const json = { server_id: await freshVm(env), type: "backup", lock_time: 600 };
  return (await settle(call, await call("POST", BR, { json }))).body.data.resource_id;
}

async function hotAdded(env: ContractEnv): Promise<{ proxy: string; result: ApiResult }> {
  const { sim, call, ids } = lab(env);
  const proxy = ids.proxies[sim.poolIds[0] ?? ""] ?? "";
  const vm = await freshVm(env);
  const disks = [{ server_id: vm, disk_id: "virtio0", snapshot_id: await snapshotOf(env, vm), application: "backup" }];
  return { proxy, result: await call("POST", `/janus/20240725/servers/${proxy}/disks`, { json: { disks } }) };
}

/** Scenarios of the snapshot, CBT, backup-resource, create-from-config and hot-add operations. */
export const backupScenarios: Readonly<Record<string, Scenario>> = {
  createServerSnapshot2019: {
    success: async (env) =>
      lab(env).call("POST", `/janus/20190725/servers/${await freshVm(env, 1)}/snapshots`, {
        json: { name: "nightly", description: "contract", snap_type: "vs" },
      }),
    error: async (env) =>
      lab(env).call("POST", `/janus/20190725/servers/${await freshVm(env)}/snapshots`, { json: { name: "current" } }),
  },
  getServerSnapshots2021: {
    success: (env) =>
      lab(env).call("GET", `/janus/20210725/servers/${lab(env).ids.refusals.internalSnapshot}/snapshots`),
    error: (env) => lab(env).call("GET", `/janus/20210725/servers/${MISSING}/snapshots`),
  },
  getServerSnapshot: {
    success: async (env) => {
      const vm = await freshVm(env);
      return lab(env).call("GET", `${S18}/${vm}/snapshots/${await snapshotOf(env, vm)}`);
    },
    error: async (env) => lab(env).call("GET", `${S18}/${await freshVm(env)}/snapshots/${MISSING}`),
  },
  deleteSnapshot: {
    success: async (env) => {
      const vm = await freshVm(env);
      return lab(env).call("DELETE", `${S18}/${vm}/snapshots/${await snapshotOf(env, vm)}`);
    },
    error: async (env) => lab(env).call("DELETE", `${S18}/${await freshVm(env)}/snapshots/${MISSING}`),
  },
  batchDeleteSnapshots: {
    success: async (env) => {
      const vm = await freshVm(env);
      const ids = [await snapshotOf(env, vm), await snapshotOf(env, vm)];
      return lab(env).call("POST", `${S18}/${vm}/snapshots/action`, { json: { action: "delete", snapshot_ids: ids } });
    },
    error: async (env) => {
      const vm = await freshVm(env);
      const json = { action: "remove", snapshot_ids: [await snapshotOf(env, vm)] };
      return lab(env).call("POST", `${S18}/${vm}/snapshots/action`, { json });
    },
  },
  recoverSnapshot: {
    success: async (env) => {
      const vm = await freshVm(env);
      const json = { backup: 1, power_on: 0 };
      return lab(env).call("POST", `${S18}/${vm}/snapshots/${await snapshotOf(env, vm)}/recovery`, { json });
    },
    error: async (env) => {
      const vm = await freshVm(env);
      return lab(env).call("POST", `${S18}/${vm}/snapshots/${await snapshotOf(env, vm)}/recovery`, { json: {} });
    },
  },
  getServerCBTInfo: {
    success: (env) => lab(env).call("GET", `${S18}/${lab(env).ids.vms.running}/cbt/status`),
    error: (env) => lab(env).call("GET", `${S18}/${lab(env).ids.refusals.notHci}/cbt/status`),
  },
  updateServerCBTStatus: {
    success: async (env) =>
      lab(env).call("PUT", `${S18}/${await freshVm(env)}/cbt/status`, {
        json: { type: "enable", disk_ids: ["virtio0"] },
      }),
    error: async (env) =>
      lab(env).call("PUT", `${S18}/${await freshVm(env)}/cbt/status`, { json: { type: "enable", disk_ids: ["ide9"] } }),
  },
  getServerCBTChangedAreas: {
    success: async (env) => {
      const vm = await freshVm(env);
      await withCbt(env, vm);
      const query = { disk_id: "virtio0", snapshot_id: await snapshotOf(env, vm), checkpoint_id: 0, start_offset: 0 };
      return lab(env).call("GET", `${S18}/${vm}/cbt/changed-areas`, { query });
    },
    error: async (env) => {
      const vm = await freshVm(env);
      const query = { disk_id: "virtio0", snapshot_id: await snapshotOf(env, vm), checkpoint_id: 0, start_offset: 0 };
      return lab(env).call("GET", `${S18}/${vm}/cbt/changed-areas`, { query });
    },
  },
  createBackupResource: {
    success: async (env) =>
      lab(env).call("POST", BR, { json: { server_id: await freshVm(env), type: "backup", lock_time: 600 } }),
    error: async (env) =>
      lab(env).call("POST", BR, { json: { server_id: await freshVm(env), type: "backup", lock_time: 30 } }),
  },
  getBackupResource: {
    success: async (env) => lab(env).call("GET", `${BR}/${await resourceFor(env)}`),
    error: (env) => lab(env).call("GET", `${BR}/${MISSING}:${MISSING}`),
  },
  updateBackupResource: {
    success: async (env) => lab(env).call("PUT", `${BR}/${await resourceFor(env)}`, { json: { lock_time: 900 } }),
    error: async (env) => lab(env).call("PUT", `${BR}/${await resourceFor(env)}`, { json: { lock_time: 7201 } }),
  },
  deleteBackupResource: {
    success: async (env) => lab(env).call("DELETE", `${BR}/${await resourceFor(env)}`),
    error: (env) => lab(env).call("DELETE", `${BR}/${MISSING}:${MISSING}`),
  },
  getBackupResourceSupports: {
    success: (env) => lab(env).call("GET", `${BR}/supports`, { query: { server_id: lab(env).ids.vms.running } }),
    error: (env) => lab(env).call("GET", `${BR}/supports`),
  },
  createServerFromConfig: {
    success: async (env) => {
      const { sim, call, ids } = lab(env);
      const detail = await call("GET", `${S18}/${ids.vms.running}/snapshots/${await snapshotOf(env, ids.vms.running)}`);
      const json = { ...detail.body.data.vmconf, name: "restored", az_id: sim.poolIds[0] };
      return call("POST", `${S18}/config`, { json });
    },
    error: async (env) => {
      const { sim, call, ids } = lab(env);
      const detail = await call("GET", `${S18}/${ids.vms.stopped}/snapshots/${await snapshotOf(env, ids.vms.stopped)}`);
      const json = { ...detail.body.data.vmconf, name: "restored", az_id: sim.poolIds[1] };
      return call("POST", `${S18}/config`, { json });
    },
  },
  createServerDisks20240725: {
    success: async (env) => (await hotAdded(env)).result,
    error: async (env) => {
      const vm = await freshVm(env);
      const disks = [
        { server_id: vm, disk_id: "virtio0", snapshot_id: await snapshotOf(env, vm), application: "backup" },
      ];
      return lab(env).call("POST", `/janus/20240725/servers/${lab(env).ids.vms.running}/disks`, { json: { disks } });
    },
  },
  serverDisksAction20240725: {
    success: async (env) => {
      const { proxy, result } = await hotAdded(env);
      const json = { action: "remove", disk_ids: [result.body.data.disks[0].id] };
      return lab(env).call("POST", `/janus/20240725/servers/${proxy}/disks/action`, { json });
    },
    error: async (env) => {
      const { proxy } = await hotAdded(env);
      const json = { action: "remove", disk_ids: ["virtio15"] };
      return lab(env).call("POST", `/janus/20240725/servers/${proxy}/disks/action`, { json });
    },
  },
};
