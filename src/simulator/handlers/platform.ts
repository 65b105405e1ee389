import { hostStatusValues, roleTypeValues } from "../../generated/schema.js";
import { callerOf, type Handler } from "../context.js";
import { paginate } from "../paging.js";
import { enumParam, isUuid, uuidParam } from "../request-body.js";
import { ok, SimHttpError } from "../responses.js";

const BUILD_DATE = "2025-03-01";

/** `GET /janus/20180725/system/version`. */
const getVersion: Handler = (ctx) =>
  // Same shape as Sangfor's example, date and time run together.
  ok(ctx.envelope, { build_version: `SCP${ctx.world.scpVersion()}B-${BUILD_DATE}10:00:00`, custom_version: [] });

/** `GET /janus/20180725/platform`. */
const getPlatform: Handler = (ctx) => {
  const host = ctx.url.hostname;
  const port = ctx.url.port || "443";
  return ok(ctx.envelope, {
    version: `SCP${ctx.world.scpVersion()}B`,
    build_time: `${BUILD_DATE} 10:00:00`,
    manage_mode: "single",
    access_scc: 0,
    dcluster_info: { cluster_ip: host, cluster_port: port, leader_ip: host, mode: "single" },
    region_info: { region_id: "RegionOne", region_name: "RegionOne", region_url: `${host}:${port}`, parent_region: "" },
  });
};

/** `GET /janus/20180725/azs`. */
const listAzs: Handler = (ctx) => {
  const q = ctx.url.searchParams;
  const azs = ctx.world.inventory.azs.filter(
    (az) => (!q.has("type") || az.type === q.get("type")) && (!q.has("tag") || az.tag === q.get("tag")),
  );
  return ok(ctx.envelope, paginate(azs, q));
};

/** `GET /janus/20180725/storages/tags`: `az_id` is required and must be a UUID. */
const listStorageTags: Handler = (ctx) => {
  const q = ctx.url.searchParams;
  const azId = q.get("az_id");
  if (azId === null || !isUuid(azId)) {
    throw new SimHttpError(400, "az_id input error: the value must be a UUID");
  }
  const tags = ctx.world.inventory.storageTags
    .filter((tag) => tag.az_id === azId)
    .map(({ az_id: _azId, ...tag }) => ({ ...tag, project_id: q.get("project_id") ?? "" }));
  return ok(ctx.envelope, paginate(tags, q));
};

/** `GET /janus/20240725/hosts`. */
const listHosts: Handler = (ctx) => {
  const q = ctx.url.searchParams;
  const azId = uuidParam(q, "az_id");
  const status = enumParam(q, "status", hostStatusValues);
  const hosts = ctx.world.inventory.hosts.filter(
    (h) =>
      (azId === undefined || h.az_id === azId) &&
      (status === undefined || h.status === status) &&
      (!q.has("cluster_id") || h.cluster_id === q.get("cluster_id")) &&
      (!q.has("type") || h.type === q.get("type")) &&
      (!q.has("name") || h.name.includes(q.get("name") ?? "")) &&
      (!q.has("ip") || h.ip === q.get("ip")),
  );
  return ok(ctx.envelope, paginate(hosts, q));
};

/** `GET /janus/20190725/projects`; a tenant sees only its own project. */
const listProjects: Handler = (ctx) => {
  const q = ctx.url.searchParams;
  const caller = callerOf(ctx);
  const role = enumParam(q, "role_type", roleTypeValues);
  const excluded = enumParam(q, "exclude_role_type", roleTypeValues);
  const azId = uuidParam(q, "az_id");
  const keywords = q.get("keywords")?.toLowerCase();
  const projects = ctx.world.inventory.projects.filter(
    (p) =>
      (caller.roleType === "admin" || p.id === caller.projectId) &&
      (role === undefined || p.role_type === role) &&
      (excluded === undefined || p.role_type !== excluded) &&
      (!q.has("enabled") || String(p.enabled) === q.get("enabled")) &&
      (azId === undefined || (p.azs ?? []).some((az) => az.az_id === azId)) &&
      (keywords === undefined || p.name.toLowerCase().includes(keywords)),
  );
  return ok(ctx.envelope, paginate(projects, q));
};

/** `GET /janus/20190725/users`; a tenant sees only its project's users. */
const listUsers: Handler = (ctx) => {
  const q = ctx.url.searchParams;
  const caller = callerOf(ctx);
  const users = ctx.world.inventory.users.filter(
    (u) =>
      (caller.roleType === "admin" || u.project_id === caller.projectId) &&
      (!q.has("name") || u.name.includes(q.get("name") ?? "")) &&
      (!q.has("role_id") || u.role_id === q.get("role_id")) &&
      (!q.has("enabled") || (u.enabled ? "1" : "0") === q.get("enabled")),
  );
  return ok(ctx.envelope, paginate(users, q));
};

/** Handlers of the platform operations. */
export const platformHandlers: Readonly<Record<string, Handler>> = {
  getSCPVersion: getVersion,
  getPlatformInfo: getPlatform,
  getAzs: listAzs,
  getStorageTagList: listStorageTags,
  getPhysicalHostList: listHosts,
  getTenantListV2: listProjects,
  getUsersJanus20190725: listUsers,
};
