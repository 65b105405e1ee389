import { createScpSimulator, type ScpSimulator } from "../../src/simulator/index.js";
import { backupScenarios } from "./contract-backup-scenarios.js";
import {
  type ApiResult,
  type CallInit,
  encryptPassword,
  loginToken,
  orchestration,
  rawClient,
  vmBody,
} from "./support.js";

/** A raw call with the admin's token. */
export type Call = (method: string, path: string, init?: CallInit) => Promise<ApiResult>;

/** What scenarios run against. */
export interface ContractEnv {
  readonly sim: ScpSimulator;
  readonly call: Call;
  readonly anon: Call;
  /** A second simulator with the backup lab seeded, and the admin's token on it. */
  readonly lab: { readonly sim: ScpSimulator; readonly call: Call };
}

/** One success and one failure of an operation. */
export interface Scenario {
  readonly success: (env: ContractEnv) => Promise<ApiResult>;
  readonly error: (env: ContractEnv) => Promise<ApiResult>;
}

export const BASE = "https://scp.contract.test";
const S = "/janus/20180725/servers";
const MISSING = "00000000-0000-4000-8000-000000000000";

/** A fresh simulator with zero-length tasks and an admin token (and one with the backup lab). */
export async function contractEnv(): Promise<ContractEnv> {
  const sim = createScpSimulator({ taskDurationMs: 0, vmtoolsDelayMs: 0, vmaSizeBytes: 64 * 1024 });
  const token = await loginToken(sim.fetch, BASE, sim.credentials);
  const labSim = createScpSimulator({ taskDurationMs: 0, vmtoolsDelayMs: 0, serverCount: 0, backupLab: true });
  const labToken = await loginToken(labSim.fetch, BASE, labSim.credentials);
  return {
    sim,
    call: rawClient(sim.fetch, BASE, { type: "token", token }),
    anon: rawClient(sim.fetch, BASE, { type: "none" }),
    lab: { sim: labSim, call: rawClient(labSim.fetch, BASE, { type: "token", token: labToken }) },
  };
}

/** A VM made from the public image, created and (task finished) ready. */
async function newServer(env: ContractEnv, powerOn: 0 | 1): Promise<string> {
  const image = await publicImageId(env);
  const created = await env.call("POST", "/janus/20220725/servers", { json: serverBody(env, image, powerOn) });
  await env.call("GET", `/janus/20180725/tasks/${created.body.data.task_id}`);
  return created.body.data.uuids[0];
}

function serverBody(env: ContractEnv, imageId: string, powerOn: 0 | 1) {
  return vmBody(env.sim.poolIds[0] ?? "", imageId, [{ id: "ide0", size_mb: 10_240 }], { powerOn, name: "contract-vm" });
}

async function publicImageId(env: ContractEnv): Promise<string> {
  const list = await env.call("GET", "/janus/20200725/images", { query: { name: "CentOS" } });
  return list.body.data.data[0].id;
}

async function newImage(env: ContractEnv): Promise<string> {
  const body = { name: "contract-image", azs: [...env.sim.poolIds], disk_format: "aCloud", image_type: "private" };
  return (await env.call("POST", "/janus/20180725/images", { json: body })).body.data.id;
}

async function exportedImage(env: ContractEnv): Promise<string> {
  const id = await publicImageId(env);
  await env.call("POST", `/janus/20240725/images/${id}/export`);
  return id;
}

function golden(env: ContractEnv): string {
  return env.sim.goldenServerId;
}

async function vmIdOf(env: ContractEnv, id: string): Promise<string> {
  return (await env.call("GET", "/janus/20240725/servers", { query: { ids: id } })).body.data.data[0].vm_id;
}

/** One scenario per operationId of the spec. */
export const scenarios: Readonly<Record<string, Scenario>> = {
  ...backupScenarios,
  getPublicKey: {
    success: (env) => env.anon("GET", "/janus/public-key"),
    error: async () => {
      const limited = createScpSimulator({ publicKeyRateLimitPerMinute: 0, serverCount: 0 });
      return rawClient(limited.fetch, BASE, { type: "none" })("GET", "/janus/public-key");
    },
  },
  getPublicKeyV2: {
    success: (env) => env.anon("GET", "/janus/v2/public-key"),
    error: (env) => env.anon("GET", "/janus/v2/public-key", { headers: { cookie: "aCMPAuthToken=abc" } }),
  },
  authenticate: {
    success: (env) => passwordLogin(env, "v1"),
    error: (env) =>
      env.anon("POST", "/janus/authenticate", {
        json: { auth: { passwordCredentials: { username: env.sim.credentials.username, password: "ab".repeat(256) } } },
      }),
  },
  authenticateV2: {
    success: (env) => passwordLogin(env, "v2"),
    error: (env) => env.anon("POST", "/janus/v2/authenticate", { json: { auth: {} } }),
  },
  getSCPVersion: {
    success: (env) => env.call("GET", "/janus/20180725/system/version"),
    error: (env) => env.anon("GET", "/janus/20180725/system/version"),
  },
  getPlatformInfo: {
    success: (env) => env.call("GET", "/janus/20180725/platform"),
    error: async (env) =>
      rawClient(env.sim.fetch, BASE, { type: "token", token: "0".repeat(32) })("GET", "/janus/20180725/platform"),
  },
  getAzs: {
    success: (env) => env.call("GET", "/janus/20180725/azs"),
    error: (env) => env.call("GET", "/janus/20180725/azs", { query: { page_size: 101 } }),
  },
  getStorageTagList: {
    success: (env) => env.call("GET", "/janus/20180725/storages/tags", { query: { az_id: env.sim.poolIds[0] ?? "" } }),
    error: (env) => env.call("GET", "/janus/20180725/storages/tags", { query: { az_id: "" } }),
  },
  getPhysicalHostList: {
    success: (env) => env.call("GET", "/janus/20240725/hosts", { query: { az_id: env.sim.poolIds[1] ?? "" } }),
    error: (env) => env.call("GET", "/janus/20240725/hosts", { query: { az_id: "pool-1" } }),
  },
  getTenantListV2: {
    success: (env) => env.call("GET", "/janus/20190725/projects", { query: { role_type: "admin" } }),
    error: (env) => env.call("GET", "/janus/20190725/projects", { query: { role_type: "superuser" } }),
  },
  getUsersJanus20190725: {
    success: (env) => env.call("GET", "/janus/20190725/users"),
    error: (env) => env.call("GET", "/janus/20190725/users", { query: { page_num: -1 } }),
  },
  listServers20240725: {
    success: (env) => env.call("GET", "/janus/20240725/servers", { query: { page_num: 1, page_size: 50 } }),
    error: (env) => env.call("GET", "/janus/20240725/servers", { query: { power_state: "maybe" } }),
  },
  getServerConfig20240725: {
    success: (env) => env.call("GET", `/janus/20240725/servers/${golden(env)}`),
    error: (env) => env.call("GET", `/janus/20240725/servers/${MISSING}`),
  },
  createServer20220725: {
    success: async (env) =>
      env.call("POST", "/janus/20220725/servers", { json: serverBody(env, await publicImageId(env), 1) }),
    error: async (env) => {
      const { az_id: _az, ...body } = serverBody(env, await publicImageId(env), 0);
      return env.call("POST", "/janus/20220725/servers", { json: body });
    },
  },
  updateServer20210725: {
    success: async (env) =>
      env.call("PUT", `/janus/20210725/servers/${await newServer(env, 0)}`, { json: { os_name: "Backup Proxy" } }),
    error: (env) => env.call("PUT", `/janus/20210725/servers/${MISSING}`, { json: { name: "x" } }),
  },
  deleteServer: {
    success: async (env) => env.call("DELETE", `${S}/${await newServer(env, 0)}`, { json: { force: 1 } }),
    error: (env) => env.call("DELETE", `${S}/${MISSING}`, { json: { force: 1 } }),
  },
  startServer: {
    success: async (env) => env.call("POST", `${S}/${await newServer(env, 0)}/start`),
    error: (env) => env.call("POST", `${S}/${MISSING}/start`),
  },
  stopServer: {
    success: async (env) => env.call("POST", `${S}/${await newServer(env, 1)}/stop`, { json: { force: 0 } }),
    error: (env) => env.call("POST", `${S}/${MISSING}/stop`),
  },
  listImagesV2: {
    success: (env) => env.call("GET", "/janus/20200725/images", { query: { image_type: "public" } }),
    error: (env) => env.call("GET", "/janus/20200725/images", { query: { image_type: "shiny" } }),
  },
  createImage: {
    success: (env) =>
      env.call("POST", "/janus/20180725/images", {
        json: { azs: [...env.sim.poolIds], disk_format: "aCloud", image_type: "private" },
      }),
    error: (env) =>
      env.call("POST", "/janus/20180725/images", {
        json: { azs: [...env.sim.poolIds], disk_format: "qcow2", image_type: "private" },
      }),
  },
  uploadImage: {
    success: async (env) =>
      env.call("PUT", `/janus/20180725/images/${await newImage(env)}/upload`, { body: new Uint8Array(4096).fill(7) }),
    error: async (env) =>
      env.call("PUT", `/janus/20180725/images/${await publicImageId(env)}/upload`, { body: new Uint8Array(16) }),
  },
  createImageFromServer: {
    success: (env) =>
      env.call("POST", "/janus/20180725/images/action", {
        json: { server_id: golden(env), name: "vma", os_type: "l2664", azs: [env.sim.poolIds[0]] },
      }),
    error: async (env) =>
      env.call("POST", "/janus/20180725/images/action", {
        json: { server_id: await newServer(env, 1), name: "vma", os_type: "l2664", azs: [env.sim.poolIds[0]] },
      }),
  },
  updateImage: {
    success: async (env) =>
      env.call("PUT", `/janus/20180725/images/${await newImage(env)}`, { json: { description: "edited" } }),
    error: (env) => env.call("PUT", `/janus/20180725/images/${MISSING}`, { json: { description: "edited" } }),
  },
  deleteImage: {
    success: async (env) => env.call("DELETE", `/janus/20180725/images/${await newImage(env)}`),
    error: (env) => env.call("DELETE", `/janus/20180725/images/${MISSING}`),
  },
  exportImage: {
    success: async (env) => env.call("POST", `/janus/20240725/images/${await publicImageId(env)}/export`),
    error: async (env) => env.call("POST", `/janus/20240725/images/${await newImage(env)}/export`),
  },
  downloadImage: {
    success: async (env) => env.call("GET", `/janus/20240725/images/${await exportedImage(env)}/download`),
    error: async (env) => {
      const image = (await env.call("GET", "/janus/20200725/images", { query: { name: "tenant-app" } })).body.data
        .data[0];
      return env.call("GET", `/janus/20240725/images/${image.id}/download`);
    },
  },
  executeOrchestrationTask: {
    success: async (env) => {
      const id = await newServer(env, 1);
      const encoded = orchestration([await vmIdOf(env, id)], ["echo ready"]);
      return env.call("POST", "/janus/20180725/custom/orchestration-tasks/action", {
        json: { action: "execute", az_id: env.sim.poolIds[0], encoded_tasks: encoded },
      });
    },
    error: (env) =>
      env.call("POST", "/janus/20180725/custom/orchestration-tasks/action", {
        json: { action: "execute", az_id: env.sim.poolIds[0], encoded_tasks: "%%% not base64 %%%" },
      }),
  },
  getOperationLogDetail: {
    success: async (env) => {
      const started = await env.call("POST", `${S}/${await newServer(env, 0)}/start`);
      return env.call("GET", `/janus/20180725/tasks/${started.body.data.task_id}`);
    },
    error: (env) => env.call("GET", `/janus/20180725/tasks/${MISSING}`),
  },
  listOperationLogs: {
    success: (env) => env.call("GET", "/janus/20180725/tasks", { query: { status: "finish", page_size: 10 } }),
    error: (env) => env.call("GET", "/janus/20180725/tasks", { query: { status: "exploded" } }),
  },
};

/** A raw password login whose answer the contract test validates. */
async function passwordLogin(env: ContractEnv, version: "v1" | "v2"): Promise<ApiResult> {
  const prefix = version === "v1" ? "/janus" : "/janus/v2";
  const key = await env.anon("GET", `${prefix}/public-key`);
  const password = encryptPassword(key.body.data.public_key, env.sim.credentials.password, version);
  const passwordCredentials = { username: env.sim.credentials.username, password };
  return env.anon("POST", `${prefix}/authenticate`, { json: { auth: { passwordCredentials } } });
}
